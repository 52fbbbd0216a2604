# Sockerless: `make run` serves the Docker API on the default backend,
# `make test` runs the tests. Both install what they need first.

NODE_DEPS := node_modules/.package-lock.json
API_SPEC := .cache/specs/docker-engine-v1.51.yaml

.PHONY: all install build run test conformance conformance-aws conformance-ecs conformance-docker-py bench clean

all: build

$(NODE_DEPS): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

install: $(NODE_DEPS)

build: install
	npx tsc -p .

run: build
	node dist/cli/main.js serve

$(API_SPEC):
	bash conformance/specs/fetch.sh $@

test: build $(API_SPEC)
	npx vitest run

conformance: build
	bash conformance/run.sh

# The AWS simulator's suite alone: the SDK clients and the aws CLI (no reference engine, so no docker login/push/pull), then the docker CLI on the ecs and lambda backends.
conformance-aws: build
	bash conformance/aws/run.sh

# The container suites, CLI scenarios and client scenarios on the ecs backend, over an AWS simulator of its own.
conformance-ecs: build
	bash conformance/ecs-backend.sh

# docker-py's own integration tests (containers, exec, logs, volumes, networks) against sockerless; long.
conformance-docker-py: build
	bash conformance/clients/docker-py-integration.sh

bench: build
	bash bench/run.sh

clean:
	rm -rf dist .cache
