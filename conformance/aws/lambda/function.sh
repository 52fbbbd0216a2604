# The test function: answers with the event it got and the function's name.
# An event's "action" makes it fail, outlast its timeout, or answer more than
# Lambda's 6 MB.
handler() {
  event=$1
  echo "handling an event for $AWS_LAMBDA_FUNCTION_NAME" >&2
  case "$event" in
  *'"action":"fail"'*)
    echo "failing as asked" >&2
    return 1
    ;;
  *'"action":"sleep"'*) sleep 5 ;;
  *'"action":"big"'*)
    seq 1 1000000
    return 0
    ;;
  esac
  printf '{"received":%s,"function":"%s","greeting":"%s"}' "$event" "$AWS_LAMBDA_FUNCTION_NAME" "${GREETING:-}"
}
