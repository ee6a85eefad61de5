"""Reads generated files with the tools users' own tools are built on, and prints one JSON line:
the Compose schema's errors for docker-compose.local.yml (jsonschema), the compose file as data
(PyYAML), and .env as python-dotenv reads it.

    python check_generated.py SCHEMA COMPOSE ENV
"""
import json, sys

import jsonschema
import yaml
from dotenv import dotenv_values

schema_path, compose_path, env_path = sys.argv[1:4]
with open(schema_path) as f:
    schema = json.load(f)
with open(compose_path) as f:
    compose = yaml.safe_load(f)
# The file names draft-07 by an https URL jsonschema does not map: say it explicitly.
validator = jsonschema.Draft7Validator(schema)
errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(compose)]
print(json.dumps({"schema_errors": errors, "compose": compose, "env": dotenv_values(env_path)}))
