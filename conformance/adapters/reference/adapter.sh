#!/bin/sh
# The ssespec reference client as an adapter: `ssespec connect` already speaks the protocol.
#   ssespec client -- conformance/adapters/reference/adapter.sh
# Uses $SSESPEC_BIN if set, else `ssespec` from PATH.
exec "${SSESPEC_BIN:-ssespec}" connect "$@"
