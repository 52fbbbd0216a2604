# The test function: answers with the event it got and the function's name.
# An event's "action" makes it fail, outlast its timeout, answer more than
# Lambda's 6 MB, or use more memory than the function has.
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
    # 2^23 bytes: a JSON string of 8 MB.
    big=x
    for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23; do big=$big$big; done
    printf '"%s"' "$big"
    return 0
    ;;
  *'"action":"hog"'*)
    # 2^28 bytes in one string: more than a 128 MB function has.
    hog=x
    for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28; do hog=$hog$hog; done
    echo "${#hog}"
    ;;
  esac
  printf '{"received":%s,"function":"%s","greeting":"%s"}' "$event" "$AWS_LAMBDA_FUNCTION_NAME" "${GREETING:-}"
}
