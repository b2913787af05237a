#!/usr/bin/env bash
# One server library's encoder suite against its expectations file:
#   encoder_suite.sh SSESPEC NAME   (NAME: a conformance/expectations/encoders/NAME.json)
# Exit 77 (skipped) when the npm adapters are not installed.
set -uo pipefail
ssespec="$1" name="$2"
root="$(cd "$(dirname "$0")/../../.." && pwd)"
adapters="$root/conformance/adapters/encoders"
need_npm() { [ -d "$adapters/node_modules" ] || { echo "skipped: run npm ci --prefix conformance/adapters/encoders" >&2; exit 77; }; }
case "$name" in
  gin-sse)  # Debian's golang-github-gin-contrib-sse-dev, built into the build tree
    out="${ENCODER_ADAPTER_DIR:-$root/${BUILD_DIR:-build}/encoder-adapters}"
    "$adapters/gin-sse/build.sh" "$out" || exit $?
    args=(-- "$out/gin-sse-adapter") ;;
  rails-live-sse)  # Debian's ruby-actionpack
    ruby -e 'require "action_controller"' 2>/dev/null || { echo "skipped: apt-get install ruby-actionpack" >&2; exit 77; }
    args=(-- ruby "$adapters/rails-live-sse.rb") ;;
  *) need_npm ;;
esac
case "$name" in
  gin-sse | rails-live-sse) ;;
  nestjs) args=(-- node "$adapters/nestjs.mjs") ;;
  eventsource-encoder) args=(-- node "$adapters/eventsource-encoder.mjs") ;;
  hono) args=(-- node "$adapters/hono.mjs" hono) ;;
  hono-4.7.4) args=(-- node "$adapters/hono.mjs" hono-old) ;;
  h3) args=(-- node "$adapters/h3.mjs" h3) ;;
  h3-1.15.5) args=(-- node "$adapters/h3.mjs" h3-old) ;;
  better-sse) args=(--data json -- node "$adapters/better-sse.mjs") ;;
  fastify-sse) args=(--data json -- node "$adapters/fastify-sse.mjs") ;;
  fastify-sse-v2) args=(-- node "$adapters/fastify-sse-v2.mjs") ;;
  *) echo "unknown library $name" >&2; exit 2 ;;
esac
exec "$ssespec" encoder -q --expectations "$root/conformance/expectations/encoders/$name.json" "${@:3}" "${args[@]}"
