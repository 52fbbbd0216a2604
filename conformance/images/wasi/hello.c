/* A small WASI program for the sandbox's conformance image: it shows its
 * arguments, an environment variable, a file of the image, its working
 * directory, stdin, a file it writes, and exits with the status it is asked for. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) printf("arg %d: %s\n", i, argv[i]);
  const char *greeting = getenv("GREETING");
  printf("GREETING=%s\n", greeting ? greeting : "(unset)");
  char cwd[256];
  if (getcwd(cwd, sizeof cwd)) printf("cwd: %s\n", cwd);
  FILE *passwd = fopen("/etc/passwd", "r");
  if (passwd) {
    int lines = 0, c;
    while ((c = fgetc(passwd)) != EOF) lines += c == '\n';
    fclose(passwd);
    printf("/etc/passwd lines: %d\n", lines);
  } else {
    printf("/etc/passwd: cannot open\n");
  }
  FILE *out = fopen("/tmp/wasi-wrote", "w");
  if (out) {
    fputs("written by wasi\n", out);
    fclose(out);
  }
  if (argc > 1 && strcmp(argv[1], "stdin") == 0) {
    char line[256];
    while (fgets(line, sizeof line, stdin)) printf("stdin: %s", line);
  }
  fflush(stdout);
  fprintf(stderr, "to stderr\n");
  const char *status = getenv("EXIT_STATUS");
  return status ? atoi(status) : 0;
}
