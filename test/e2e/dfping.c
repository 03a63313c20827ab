/*
 * dfping: one ICMP echo with the don't-fragment bit forced (IP_PMTUDISC_DO), for the MTU scenario.
 * busybox ping cannot set DF, and the kernel fragments oversize echoes locally unless the socket says DO,
 * so an oversize echo would pass silently. With DO, an echo larger than the path MTU fails in sendto()
 * with EMSGSIZE ("Message too long"), or a router on the path answers "fragmentation needed".
 * Usage: dfping ADDRESS PAYLOAD_BYTES. Prints "reply bytes=N from=A" and exits 0, or an error and exits 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static unsigned short checksum(const void *data, size_t len) {
  const unsigned short *p = data;
  unsigned long sum = 0;
  for (; len > 1; len -= 2) sum += *p++;
  if (len) sum += *(const unsigned char *)p;
  sum = (sum >> 16) + (sum & 0xffff);
  sum += sum >> 16;
  return (unsigned short)~sum;
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: dfping ADDRESS PAYLOAD_BYTES\n"); return 2; }
  struct sockaddr_in to = {.sin_family = AF_INET};
  if (inet_pton(AF_INET, argv[1], &to.sin_addr) != 1) { fprintf(stderr, "bad address %s\n", argv[1]); return 2; }
  size_t payload = (size_t)atoi(argv[2]);
  int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
  if (fd < 0) { perror("socket"); return 1; }
  int pmtu = IP_PMTUDISC_DO;
  if (setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu) < 0) { perror("setsockopt"); return 1; }
  size_t len = sizeof(struct icmphdr) + payload;
  unsigned char *packet = calloc(1, len);
  struct icmphdr *icmp = (struct icmphdr *)packet;
  icmp->type = ICMP_ECHO;
  icmp->un.echo.id = htons((unsigned short)getpid());
  icmp->un.echo.sequence = htons(1);
  memset(packet + sizeof *icmp, 0xa5, payload);
  icmp->checksum = checksum(packet, len);
  if (sendto(fd, packet, len, 0, (struct sockaddr *)&to, sizeof to) < 0) {
    printf("error: sendto %zu bytes: %s\n", 20 + len, strerror(errno));
    return 1;
  }
  unsigned char reply[65536];
  struct pollfd waiter = {.fd = fd, .events = POLLIN};
  for (;;) {
    if (poll(&waiter, 1, 3000) <= 0) { printf("error: no reply within 3 s\n"); return 1; }
    ssize_t got = recv(fd, reply, sizeof reply, 0);
    if (got < 0) { printf("error: recv: %s\n", strerror(errno)); return 1; }
    struct iphdr *ip = (struct iphdr *)reply;
    struct icmphdr *answer = (struct icmphdr *)(reply + ip->ihl * 4);
    char from[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &ip->saddr, from, sizeof from);
    if (answer->type == ICMP_DEST_UNREACH && answer->code == ICMP_FRAG_NEEDED) {
      printf("error: fragmentation needed (mtu %u) from %s\n", ntohs(answer->un.frag.mtu), from);
      return 1;
    }
    if (answer->type == ICMP_ECHOREPLY && answer->un.echo.id == icmp->un.echo.id) {
      printf("reply bytes=%zd from=%s\n", got, from);
      return 0;
    }
  }
}
