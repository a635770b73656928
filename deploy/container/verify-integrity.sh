#!/bin/bash
# Checks a downloaded npm tarball against the integrity that package-lock.json records for it, so
# the Bun binary baked into the image is exactly the one `npm ci` would accept. The image build
# fetches Bun itself (no Node, no npm, nothing but coreutils in the base), hence a shell check.
#
#   verify-integrity.sh <tarball> <lock key, e.g. node_modules/@oven/bun-linux-x64> [lock file]
set -euo pipefail
file=$1 key=$2 lock=${3:-package-lock.json}

# npm writes each package as `"<key>": {` followed by its fields, integrity among the first few.
want=$(grep -A6 -F "\"$key\": {" "$lock" | sed -n 's/.*"integrity": "\(sha512-[^"]*\)".*/\1/p' | head -n1)
if [ -z "$want" ]; then
  echo "verify-integrity: $lock has no sha512 integrity for $key" >&2
  exit 1
fi
# Subresource-integrity form: sha512- then the base64 of the raw digest (not of its hex).
hex=$(sha512sum "$file" | cut -d' ' -f1)
got="sha512-$(printf '%b' "$(printf '%s' "$hex" | sed 's/../\\x&/g')" | base64 -w0)"
if [ "$got" != "$want" ]; then
  echo "verify-integrity: $file is $got, but $lock says $want for $key" >&2
  exit 1
fi
echo "verify-integrity: $file matches $key in $lock"
