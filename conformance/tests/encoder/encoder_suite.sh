#!/usr/bin/env bash
# One server library's encoder suite against its expectations file:
#   encoder_suite.sh SSESPEC NAME [REPORT OPTIONS...]
# NAME names conformance/expectations/encoders/NAME.json. Exit 77 (skipped) when the library is
# not installed: npm ci --prefix conformance/adapters/encoders, or the Debian package.
set -uo pipefail
ssespec="$1" name="$2"
root="$(cd "$(dirname "$0")/../../.." && pwd)"
adapters="$root/conformance/adapters/encoders"
need_npm() { [ -d "$adapters/node_modules" ] || { echo "skipped: run npm ci --prefix conformance/adapters/encoders" >&2; exit 77; }; }
case "$name" in
  gin-sse)  # Debian's golang-github-gin-contrib-sse-dev, built into the build tree
    out="${ENCODER_ADAPTER_DIR:-$root/${BUILD_DIR:-build}/encoder-adapters}"
    "$adapters/gin-sse/build.sh" "$out" || exit $?
    title="gin-contrib/sse 0.1.0 (Debian)"; args=(-- "$out/gin-sse-adapter") ;;
  rails-live-sse)  # Debian's ruby-actionpack
    ruby -e 'require "action_controller"' 2>/dev/null || { echo "skipped: apt-get install ruby-actionpack" >&2; exit 77; }
    title="Rails ActionController::Live::SSE 6.1.7 (Debian)"; args=(-- ruby "$adapters/rails-live-sse.rb") ;;
  *) need_npm ;;
esac
case "$name" in
  gin-sse | rails-live-sse) ;;
  eventsource-encoder) title="eventsource-encoder 1.0.2"; args=(-- node "$adapters/eventsource-encoder.mjs") ;;
  nestjs) title="NestJS @Sse 12.5.1"; args=(-- node "$adapters/nestjs.mjs") ;;
  nestjs-11.1.17)  # its own npm project: NestJS's packages must match
    [ -d "$adapters/nestjs-11.1.17/node_modules" ] || { echo "skipped: run npm ci --prefix conformance/adapters/encoders/nestjs-11.1.17" >&2; exit 77; }
    title="NestJS @Sse 11.1.17"; args=(-- node "$adapters/nestjs.mjs" "$adapters/nestjs-11.1.17") ;;
  h3-2) title="h3 2.0.8 createEventStream"; args=(-- node "$adapters/h3-v2.mjs" h3-v2) ;;
  h3-2.0.1-rc.16) title="h3 2.0.1-rc.16 createEventStream"; args=(-- node "$adapters/h3-v2.mjs" h3-v2-old) ;;
  hono) title="hono 4.13.19 streamSSE"; args=(-- node "$adapters/hono.mjs" hono) ;;
  hono-4.7.4) title="hono 4.7.4 streamSSE"; args=(-- node "$adapters/hono.mjs" hono-old) ;;
  h3) title="h3 1.15.11 createEventStream"; args=(-- node "$adapters/h3.mjs" h3) ;;
  h3-1.15.5) title="h3 1.15.5 createEventStream"; args=(-- node "$adapters/h3.mjs" h3-old) ;;
  better-sse) title="better-sse 0.16.1"; args=(--data json -- node "$adapters/better-sse.mjs") ;;
  fastify-sse) title="@fastify/sse 0.6.0"; args=(--data json -- node "$adapters/fastify-sse.mjs") ;;
  fastify-sse-v2) title="fastify-sse-v2 4.2.2"; args=(-- node "$adapters/fastify-sse-v2.mjs") ;;
  *) echo "unknown library $name" >&2; exit 2 ;;
esac
exec "$ssespec" encoder -q --name "$title" --expectations "$root/conformance/expectations/encoders/$name.json" "${@:3}" "${args[@]}"
