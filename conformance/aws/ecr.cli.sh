#!/usr/bin/env bash
# ECR through the aws CLI v2: repositories, registry logins, the images a push leaves, and deletion with and without --force.
set -euo pipefail
source "$(dirname "$0")/cli-lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
host=${AWS_ENDPOINT_URL#*://}
repo=cli/app-$$-$RANDOM

expect_json "ecr create-repository" ".repository.repositoryUri == \"$host/$repo\" and .repository.imageTagMutability == \"MUTABLE\"" \
  aws ecr create-repository --repository-name "$repo" --tags Key=suite,Value=cli
expect_fail "ecr create-repository taken" "RepositoryAlreadyExistsException" aws ecr create-repository --repository-name "$repo"
expect_fail "ecr create-repository invalid name" "InvalidParameterException" aws ecr create-repository --repository-name "Bad Name"
expect_json "ecr describe-repositories" ".repositories | map(.repositoryName) == [\"$repo\"]" aws ecr describe-repositories --repository-names "$repo"
expect_fail "ecr describe-repositories unknown" "RepositoryNotFoundException" aws ecr describe-repositories --repository-names "$repo-none"
expect_json "ecr list-tags-for-resource" '.tags == [{"Key": "suite", "Value": "cli"}]' \
  aws ecr list-tags-for-resource --resource-arn "arn:aws:ecr:$AWS_REGION:123456789012:repository/$repo"
policy='{"Version":"2012-10-17","Statement":[{"Sid":"pull","Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage"}]}'
expect_json "ecr set-repository-policy" ".repositoryName == \"$repo\"" aws ecr set-repository-policy --repository-name "$repo" --policy-text "$policy"
expect_json "ecr get-repository-policy" '.policyText | fromjson | .Statement[0].Sid == "pull"' aws ecr get-repository-policy --repository-name "$repo"
expect_ok "ecr delete-repository-policy" aws ecr delete-repository-policy --repository-name "$repo"
expect_fail "ecr get-repository-policy after delete" "RepositoryPolicyNotFoundException" aws ecr get-repository-policy --repository-name "$repo"
lifecycle='{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}'
expect_json "ecr put-lifecycle-policy" ".repositoryName == \"$repo\"" aws ecr put-lifecycle-policy --repository-name "$repo" --lifecycle-policy-text "$lifecycle"
expect_json "ecr get-lifecycle-policy" '(.lifecyclePolicyText | fromjson | .rules[0].selection.countNumber) == 14' aws ecr get-lifecycle-policy --repository-name "$repo"
expect_json "ecr start-lifecycle-policy-preview" '.status == "COMPLETE"' aws ecr start-lifecycle-policy-preview --repository-name "$repo"
expect_json "ecr get-lifecycle-policy-preview" '.status == "COMPLETE" and .previewResults == [] and .summary.expiringImageTotalCount == 0' \
  aws ecr get-lifecycle-policy-preview --repository-name "$repo"
expect_fail "ecr put-lifecycle-policy invalid" "InvalidParameterException" aws ecr put-lifecycle-policy --repository-name "$repo" --lifecycle-policy-text \
  '{"rules":[{"rulePriority":1,"description":"tagged, without a prefix list","selection":{"tagStatus":"tagged","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}'
expect_json "ecr get-authorization-token" ".authorizationData[0].proxyEndpoint == \"$AWS_ENDPOINT_URL\" and (.authorizationData[0].authorizationToken | @base64d | startswith(\"AWS:\"))" \
  aws ecr get-authorization-token

# The password get-login-password prints is what the registry takes for user AWS.
if password=$(aws ecr get-login-password 2>&1) && [ -n "$password" ]; then
  code=$(curl -s -o /dev/null -w '%{http_code}' -u "AWS:$password" "$AWS_ENDPOINT_URL/v2/")
  if [ "$code" = 200 ]; then pass "ecr get-login-password logs in to the registry"; else fail "ecr get-login-password logs in to the registry" "GET /v2/ answered $code"; fi
else
  fail "ecr get-login-password logs in to the registry" "$password"
fi

# A push, as a developer's engine makes it after logging in.
if out=$(push_test_image "$repo" v1 2>&1); then
  pass "push of the busybox test image"
else
  fail "push of the busybox test image" "$out"
fi

expect_json "ecr describe-images after the push" \
  '.imageDetails | length == 1 and .[0].imageTags == ["v1"] and .[0].imageSizeInBytes > 0 and .[0].imageManifestMediaType == "application/vnd.docker.distribution.manifest.v2+json"' \
  aws ecr describe-images --repository-name "$repo"
expect_fail "ecr describe-images unknown tag" "ImageNotFoundException" aws ecr describe-images --repository-name "$repo" --image-ids imageTag=none
expect_json "ecr batch-get-image" \
  '(.images[0].imageManifest | fromjson | .layers | length) >= 1 and .images[0].imageId.imageTag == "v1" and .failures == []' \
  aws ecr batch-get-image --repository-name "$repo" --image-ids imageTag=v1
expect_json "ecr batch-get-image unknown tag" '.images == [] and .failures[0].failureCode == "ImageNotFound"' \
  aws ecr batch-get-image --repository-name "$repo" --image-ids imageTag=none
expect_json "ecr list-images" '.imageIds | length == 1 and .[0].imageTag == "v1"' aws ecr list-images --repository-name "$repo"
expect_fail "ecr delete-repository with images" "RepositoryNotEmptyException" aws ecr delete-repository --repository-name "$repo"
expect_json "ecr delete-repository --force" ".repository.repositoryName == \"$repo\"" aws ecr delete-repository --repository-name "$repo" --force
expect_fail "ecr describe-repositories after delete" "RepositoryNotFoundException" aws ecr describe-repositories --repository-names "$repo"
expect_json "ecr create-repository IMMUTABLE" '.repository.imageTagMutability == "IMMUTABLE"' \
  aws ecr create-repository --repository-name "$repo-empty" --image-tag-mutability IMMUTABLE
expect_json "ecr delete-repository of an empty one" ".repository.repositoryName == \"$repo-empty\"" aws ecr delete-repository --repository-name "$repo-empty"
status=0
finish || status=1
# With a reference engine, the docker CLI logs in, pushes and pulls too.
bash "$(dirname "$0")/ecr-docker.sh" || status=1
exit $status
