#!/usr/bin/env bash
# STS and IAM through the aws CLI v2: identity, roles, and a bad signature's error.
set -euo pipefail
source "$(dirname "$0")/cli-lib.sh"
expect_json "sts get-caller-identity" '.Account == "123456789012"' aws sts get-caller-identity
expect_json "iam create-role" '.Role.Arn == "arn:aws:iam::123456789012:role/cli-role"' \
  aws iam create-role --role-name cli-role --assume-role-policy-document '{"Version":"2012-10-17","Statement":[]}'
expect_json "iam get-role" '.Role.RoleName == "cli-role"' aws iam get-role --role-name cli-role
expect_fail "iam get-role unknown" "NoSuchEntity" aws iam get-role --role-name nobody
expect_fail "sts bad signature" "SignatureDoesNotMatch" aws_bad_secret sts get-caller-identity
expect_ok "iam delete-role" aws iam delete-role --role-name cli-role
finish
