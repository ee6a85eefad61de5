// The migration `up` runs before the backend starts: the documents table, sized by the
// embedding model's dimensions.
const { sql } = require('./db');
const { config } = require('./config/configuration');

const dimensions = config.localModels.embeddings.dimensions;
sql(`CREATE TABLE IF NOT EXISTS documents (id serial PRIMARY KEY, body text UNIQUE, embedding vector(${dimensions}))`)
  .then(() => console.log(`migrated: documents with vector(${dimensions})`))
  .catch((error) => { console.error(`migration failed: ${error.message}`); process.exit(1); });
