const { config } = require('../config/configuration');
const { post } = require('./openaiClient');

const baseURL = config.localModels.embeddings.endpoint + '/v1';

async function batchEmbed(texts) {
  const response = await post(baseURL, '/embeddings', { model: config.localModels.embeddings.model, input: texts });
  const vectors = response.data.sort((a, b) => a.index - b.index).map((d) => d.embedding);
  for (const vector of vectors) {
    if (vector.length !== config.localModels.embeddings.dimensions) {
      throw new Error(`embedding of ${vector.length} dimensions, LOCAL_EMBEDDING_DIMENSIONS is ${config.localModels.embeddings.dimensions}`);
    }
  }
  return vectors;
}

// Batches of EMBEDDING_BATCH_SIZE, as the guide's generateEmbeddings does.
async function generateEmbeddings(texts) {
  const size = config.localModels.embeddings.batchSize;
  const batches = [];
  for (let i = 0; i < texts.length; i += size) batches.push(batchEmbed(texts.slice(i, i + size)));
  return (await Promise.all(batches)).flat();
}

module.exports = { generateEmbeddings };
