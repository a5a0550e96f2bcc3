#!/usr/bin/env bash
# Before the tests: fetch and hash-check the real models (MODELS.md) into the model cache, so the
# model tests run instead of skipping. Idempotent: nothing is fetched when the cache is complete.
set -euo pipefail
"$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/fetch-models"
