#!/bin/sh
# As the official image's entrypoint: without a config file, Redis refuses other hosts
# (protected mode); the container's network is the boundary instead.
set -e
if [ "$1" = redis-server ]; then
    shift
    set -- redis-server --protected-mode no "$@"
fi
exec "$@"
