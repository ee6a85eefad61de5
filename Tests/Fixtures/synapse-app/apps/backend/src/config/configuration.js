// The guide's keys, read from the environment (synapse-local passes .env's values).
function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const config = {
  port: parseInt(process.env.PORT || '3000', 10),
  host: process.env.HOST || '127.0.0.1',
  corsOrigin: process.env.CORS_ORIGIN || '',
  databaseUrl: required('DATABASE_URL'),
  localModels: {
    enabled: process.env.USE_LOCAL_MODELS === 'true',
    llm: {
      endpoint: process.env.LOCAL_LLM_ENDPOINT || 'http://localhost:8080',
      model: process.env.LOCAL_LLM_MODEL || 'local-model',
      contextLength: parseInt(process.env.LOCAL_LLM_CONTEXT_LENGTH || '4096', 10),
      timeout: parseInt(process.env.LOCAL_LLM_TIMEOUT || '30000', 10),
    },
    embeddings: {
      endpoint: process.env.LOCAL_EMBEDDING_ENDPOINT || 'http://localhost:8081',
      model: process.env.LOCAL_EMBEDDING_MODEL || 'all-MiniLM-L6-v2',
      dimensions: parseInt(process.env.LOCAL_EMBEDDING_DIMENSIONS || '384', 10),
      batchSize: parseInt(process.env.EMBEDDING_BATCH_SIZE || '10', 10),
    },
  },
};

module.exports = { config };
