#!/bin/sh
# The reference Node server, @y/websocket-server 0.1.1, as its `bin` runs it: in memory (no
# YPERSISTENCE), default GC, and ws's server default of no permessage-deflate.
#   bench/node_server.sh PORT
set -eu
cd "$(dirname "$0")/.."
HOST=127.0.0.1 PORT="${1:?usage: bench/node_server.sh PORT}" exec node node_modules/@y/websocket-server/src/server.js
