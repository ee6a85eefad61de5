#!/bin/sh
# Starts the stand-in backend through a shell that stays (no exec), as pnpm does with node: the
# backend's Python is a grandchild of the service's process, which `down` and a killed supervisor
# must still stop.
"${SYNAPSE_LOCAL_PYTHON:-python3}" "$(dirname "$0")/standin_backend.py"
