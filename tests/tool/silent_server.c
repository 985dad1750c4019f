/*
 * silent_server.c - a TCP server on 127.0.0.1 that accepts connections and
 * never answers, for testing that "faultline symbolize" does not hang on a
 * debuginfod server that has gone quiet.
 *   silent_server SECONDS: prints its port, then "accepted" for each
 *   connection; serves for at most SECONDS.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 60;
	int server = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in address = {0};
	address.sin_family = AF_INET;
	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t length = sizeof(address);
	if (server < 0 ||
	    bind(server, (struct sockaddr *)&address, sizeof(address)) < 0 ||
	    listen(server, 64) < 0 ||
	    getsockname(server, (struct sockaddr *)&address, &length) < 0) {
		perror("silent_server");
		return 1;
	}
	printf("%d\n", ntohs(address.sin_port));
	fflush(stdout);
	/* Connections stay open, unanswered, until we exit. */
	alarm((unsigned)seconds);
	for (;;) {
		if (accept(server, NULL, NULL) < 0) {
			sleep(1);
			continue;
		}
		printf("accepted\n");
		fflush(stdout);
	}
}
