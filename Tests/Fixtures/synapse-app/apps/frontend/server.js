// A small dev server: serves public/ and tells the page where the backend is (VITE_API_URL, as
// a Vite app reads import.meta.env.VITE_API_URL).
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');

const apiURL = process.env.VITE_API_URL;
if (!apiURL) { console.error('VITE_API_URL is not set'); process.exit(1); }
if (process.argv.includes('--check')) { console.log('frontend ok'); process.exit(0); }
const page = fs.readFileSync(path.join(__dirname, 'public', 'index.html'), 'utf8')
  .replace('%VITE_API_URL%', JSON.stringify(apiURL));

const server = http.createServer((request, response) => {
  if (request.method === 'GET' && (request.url === '/' || request.url === '/index.html')) {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    return response.end(page);
  }
  response.writeHead(404, { 'Content-Type': 'text/plain' });
  response.end('not found\n');
});
const port = parseInt(process.env.PORT || '5173', 10);
const host = process.env.HOST || '127.0.0.1';
server.listen(port, host, () => console.log(`frontend on http://${host}:${port}, backend at ${apiURL}`));
