const { config } = require('../config/configuration');
const { post } = require('./openaiClient');

// Local mode: the OpenAI-compatible llm server at LOCAL_LLM_ENDPOINT + '/v1'.
if (!config.localModels.enabled) throw new Error('USE_LOCAL_MODELS is not true: this backend only runs in local mode');
const baseURL = config.localModels.llm.endpoint + '/v1';

async function generateResponse(messages) {
  const completion = await post(baseURL, '/chat/completions', {
    model: config.localModels.llm.model, messages, max_tokens: 24, temperature: 0,
  }, config.localModels.llm.timeout);
  return { content: completion.choices?.[0]?.message?.content || '', model: completion.model };
}

module.exports = { generateResponse };
