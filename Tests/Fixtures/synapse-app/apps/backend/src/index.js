// The Synapse-shaped backend: stores a few documents with their embeddings in pgvector, and
// answers POST /ask {"question"} from the nearest documents and the local llm.
const http = require('node:http');
const { config } = require('./config/configuration');
const { sql, vector, quote } = require('./db');
const { generateEmbeddings } = require('./services/embeddingService');
const { generateResponse } = require('./services/aiService');

const DOCUMENTS = [
  'Synapse keeps documents in PostgreSQL with the pgvector extension.',
  'The capital of France is Paris.',
  'llama.cpp serves GGUF models over an OpenAI-compatible HTTP API.',
];
let ready = false;

async function prepare() {
  const vectors = await generateEmbeddings(DOCUMENTS);
  for (let i = 0; i < DOCUMENTS.length; i++) {
    await sql(`INSERT INTO documents (body, embedding) VALUES (${quote(DOCUMENTS[i])}, ${vector(vectors[i])}) ON CONFLICT (body) DO NOTHING`);
  }
  ready = true;
}

async function ask(question) {
  const [query] = await generateEmbeddings([question]);
  const sources = (await sql(`SELECT body FROM documents ORDER BY embedding <-> ${vector(query)} LIMIT 2`)).split('\n');
  const { content, model } = await generateResponse([
    { role: 'system', content: 'Answer briefly from the context.\nContext:\n' + sources.join('\n') },
    { role: 'user', content: question },
  ]);
  return { answer: content, model, sources };
}

function reply(request, response, status, body) {
  const text = status === 204 ? '' : JSON.stringify(body);
  const headers = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) };
  // The frontend's origin (CORS_ORIGIN, given by synapse-local) may call from the browser.
  if (config.corsOrigin && request.headers.origin === config.corsOrigin) {
    Object.assign(headers, {
      'Access-Control-Allow-Origin': config.corsOrigin, 'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
      'Access-Control-Allow-Headers': 'Content-Type', Vary: 'Origin',
    });
  }
  response.writeHead(status, headers);
  response.end(text);
}

const server = http.createServer((request, response) => {
  if (request.method === 'OPTIONS') return reply(request, response, 204);
  if (request.method === 'GET' && request.url === '/health') {
    return reply(request, response, ready ? 200 : 503, { status: ready ? 'ok' : 'starting' });
  }
  if (request.method === 'POST' && request.url === '/ask') {
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', async () => {
      try {
        reply(request, response, 200, await ask(JSON.parse(body).question));
      } catch (error) {
        reply(request, response, 500, { error: error.message });
      }
    });
    return;
  }
  reply(request, response, 404, { error: 'not found' });
});

server.listen(config.port, config.host, () => {
  console.log(`backend on http://${config.host}:${config.port}, pid ${process.pid}, llm ${config.localModels.llm.model}`);
  prepare().catch((error) => { console.error(`preparing the documents failed: ${error.message}`); process.exit(1); });
});
