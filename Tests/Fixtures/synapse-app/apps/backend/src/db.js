// SQL through psql (no npm packages here): the password goes through the environment, never the
// command line.
const { execFile } = require('node:child_process');
const { config } = require('./config/configuration');

function sql(statement) {
  const url = new URL(config.databaseUrl);
  const password = decodeURIComponent(url.password);
  url.password = '';
  return new Promise((resolve, reject) => {
    execFile('psql', [url.toString(), '-v', 'ON_ERROR_STOP=1', '-tAc', statement],
      { env: { ...process.env, PGPASSWORD: password }, timeout: 30000 },
      (error, stdout, stderr) => (error ? reject(new Error(stderr.trim() || error.message)) : resolve(stdout.trim())));
  });
}

const vector = (values) => `'[${values.map((v) => v.toFixed(6)).join(',')}]'`;
const quote = (text) => `'${text.replace(/'/g, "''")}'`;

module.exports = { sql, vector, quote };
