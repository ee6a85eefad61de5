"""The guide's backend clients, in Python: the OpenAI client with base URL ENDPOINT + '/v1' and the
fixed key 'not-needed', configured from a generated .env alone. Prints one JSON line.

    python guide_client.py ENV_FILE
"""
import json, sys

from dotenv import dotenv_values
from openai import OpenAI

env = dotenv_values(sys.argv[1])
llm = OpenAI(base_url=env["LOCAL_LLM_ENDPOINT"] + "/v1", api_key="not-needed",
             timeout=int(env["LOCAL_LLM_TIMEOUT"]) / 1000)
chat = llm.chat.completions.create(
    model=env["LOCAL_LLM_MODEL"], messages=[{"role": "user", "content": "Say hello."}], max_tokens=8, temperature=0)
embeddings = OpenAI(base_url=env["LOCAL_EMBEDDING_ENDPOINT"] + "/v1", api_key="not-needed")
one = embeddings.embeddings.create(model=env["LOCAL_EMBEDDING_MODEL"], input="Hello world")
batch = embeddings.embeddings.create(model=env["LOCAL_EMBEDDING_MODEL"], input=["a", "b", "c"])
print(json.dumps({
    "chat_model": chat.model,
    "chat_text": chat.choices[0].message.content,
    "embedding_model": one.model,
    "embedding_dimensions": len(one.data[0].embedding),
    "batch_indexes": [d.index for d in batch.data],
    "batch_dimensions": [len(d.embedding) for d in batch.data],
}))
