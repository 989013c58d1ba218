/*
 * sgbridge: an LD_PRELOAD shim that answers Linux sg ioctls on chosen files from a SCSI target reached in
 * user space, so that programs written for /dev/sgN (Debian's mtx, Wine's SCSI pass-through) can drive a tgt
 * library over iSCSI or an mhVTL userland daemon on a machine without an sg node. Test tooling only.
 *
 *   SGBRIDGE_MAP='PATH=TARGET[;PATH=TARGET...]'   TARGET: iscsi://host[:port]/iqn/lun | mhvtl:SOCKET
 *   SGBRIDGE_DEBUG=1                               one line per CDB on stderr
 *   SGBRIDGE_FAIL_FIRST=N                          the first N SG_IO calls per mapping fail with EINVAL
 *   SGBRIDGE_RESERVED_SIZE=BYTES                   what SG_GET_RESERVED_SIZE reports (default 65536)
 *   SGBRIDGE_MAX_TRANSFER=BYTES                    SG_IO with a longer dxfer_len fails with EINVAL, as the kernel
 *                                                  does above the queue's max_hw_sectors (block/blk-map.c)
 *
 * A file descriptor is matched by the path /proc/self/fd/N resolves to, not by watching open(): under Wine the
 * wineserver opens the file and passes the descriptor to the program.
 *
 * sg_io_hdr semantics follow the Linux SCSI Generic (sg) driver HOWTO, "sg_io_hdr_t structure" and
 * include/scsi/sg.h; status codes are SAM-5 §5.3 (GOOD 00h, CHECK CONDITION 02h, BUSY 08h).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <scsi/sg.h>
#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#define MAX_MAPPINGS 16
#define DRIVER_SENSE 0x08     /* sg_io_hdr.driver_status: sense buffer valid (scsi/sg.h, SG_ERR_DRIVER_SENSE) */
#define DID_TIME_OUT 0x03     /* sg_io_hdr.host_status: command timed out */
#define DID_ERROR 0x07        /* sg_io_hdr.host_status: internal error in the path to the device */
#define SCSI_IOCTL_GET_IDLUN 0x5382        /* Linux include/scsi/scsi_ioctl.h */
#define SCSI_IOCTL_GET_BUS_NUMBER 0x5386

enum backend { BACKEND_ISCSI, BACKEND_MHVTL };

struct mapping {
    char path[PATH_MAX];
    char target[1024];
    enum backend backend;
    int fail_first;
    /* iSCSI */
    struct iscsi_context *iscsi;
    int lun;
    /* mhVTL userland socket */
    int sock;
    uint64_t next_cmd_id;
};

static struct mapping mappings[MAX_MAPPINGS];
static int mapping_count = -1;
static int debug;
static int reserved_size = 65536;
static unsigned max_transfer;
static int (*real_ioctl)(int, unsigned long, ...);

static void log_line(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("sgbridge: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void load_mappings(void)
{
    if (mapping_count >= 0) return;
    mapping_count = 0;
    debug = getenv("SGBRIDGE_DEBUG") != NULL;
    const char *rs = getenv("SGBRIDGE_RESERVED_SIZE");
    if (rs) reserved_size = atoi(rs);
    const char *mt = getenv("SGBRIDGE_MAX_TRANSFER");
    if (mt) max_transfer = (unsigned)strtoul(mt, NULL, 10);
    const char *ff = getenv("SGBRIDGE_FAIL_FIRST");
    int fail_first = ff ? atoi(ff) : 0;
    const char *env = getenv("SGBRIDGE_MAP");
    if (!env) return;
    char *copy = strdup(env), *save = NULL;
    for (char *item = strtok_r(copy, ";", &save); item && mapping_count < MAX_MAPPINGS; item = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(item, '=');
        if (!eq) { log_line("ignoring map entry without '=': %s", item); continue; }
        *eq = '\0';
        struct mapping *m = &mappings[mapping_count];
        memset(m, 0, sizeof *m);
        m->sock = -1;
        m->fail_first = fail_first;
        if (!realpath(item, m->path)) {
            log_line("%s: %s (the mapped file must exist)", item, strerror(errno));
            continue;
        }
        snprintf(m->target, sizeof m->target, "%s", eq + 1);
        if (strncmp(m->target, "iscsi://", 8) == 0) m->backend = BACKEND_ISCSI;
        else if (strncmp(m->target, "mhvtl:", 6) == 0) m->backend = BACKEND_MHVTL;
        else { log_line("unknown target '%s' (iscsi://... or mhvtl:SOCKET)", m->target); continue; }
        mapping_count++;
    }
    free(copy);
}

static struct mapping *mapping_for_fd(int fd)
{
    load_mappings();
    if (mapping_count == 0) return NULL;
    char link[64], target[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n <= 0) return NULL;
    target[n] = '\0';
    for (int i = 0; i < mapping_count; i++)
        if (strcmp(mappings[i].path, target) == 0) return &mappings[i];
    return NULL;
}

/* ---- iSCSI backend (libiscsi) ---- */

static int iscsi_backend_connect(struct mapping *m)
{
    if (m->iscsi) return 0;
    struct iscsi_context *ctx = iscsi_create_context("iqn.2026-12.dev.tapechanger:sgbridge");
    if (!ctx) return -1;
    struct iscsi_url *url = iscsi_parse_full_url(ctx, m->target);
    if (!url) { log_line("%s: %s", m->target, iscsi_get_error(ctx)); iscsi_destroy_context(ctx); return -1; }
    iscsi_set_targetname(ctx, url->target);
    iscsi_set_session_type(ctx, ISCSI_SESSION_NORMAL);
    iscsi_set_header_digest(ctx, ISCSI_HEADER_DIGEST_NONE);
    iscsi_set_noautoreconnect(ctx, 1);
    iscsi_set_timeout(ctx, 30);
    /* connect + login only: iscsi_full_connect_sync would send TEST UNIT READY until it passes and so consume the
       unit attentions the program under test must see. */
    if (iscsi_connect_sync(ctx, url->portal) != 0 || iscsi_login_sync(ctx) != 0) {
        log_line("%s: %s", m->target, iscsi_get_error(ctx));
        iscsi_destroy_url(url);
        iscsi_destroy_context(ctx);
        return -1;
    }
    m->lun = url->lun;
    iscsi_destroy_url(url);
    m->iscsi = ctx;
    return 0;
}

static int iscsi_backend_execute(struct mapping *m, sg_io_hdr_t *io)
{
    if (iscsi_backend_connect(m) != 0) { io->host_status = DID_ERROR; return 0; }
    int dir = io->dxfer_direction == SG_DXFER_FROM_DEV ? SCSI_XFER_READ
            : io->dxfer_direction == SG_DXFER_TO_DEV ? SCSI_XFER_WRITE : SCSI_XFER_NONE;
    int len = dir == SCSI_XFER_NONE ? 0 : (int)io->dxfer_len;
    struct scsi_task *task = scsi_create_task(io->cmd_len, io->cmdp, dir, len);
    if (!task) { io->host_status = DID_ERROR; return 0; }
    struct iscsi_data out = { .size = (size_t)len, .data = io->dxferp };
    if (iscsi_scsi_command_sync(m->iscsi, m->lun, task, dir == SCSI_XFER_WRITE ? &out : NULL) == NULL) {
        log_line("%s: %s", m->target, iscsi_get_error(m->iscsi));
        iscsi_destroy_context(m->iscsi);
        m->iscsi = NULL;
        scsi_free_scsi_task(task);
        io->host_status = DID_ERROR;
        return 0;
    }
    io->status = (unsigned char)task->status;
    if (task->status == SCSI_STATUS_CHECK_CONDITION) {
        /* libiscsi keeps the SCSI Response data segment: a 2-byte SenseLength, then the sense (RFC 7143 §11.4.7.2). */
        if (task->datain.size >= 2) {
            int sense_len = (task->datain.data[0] << 8) | task->datain.data[1];
            if (sense_len > task->datain.size - 2) sense_len = task->datain.size - 2;
            if (sense_len > io->mx_sb_len) sense_len = io->mx_sb_len;
            memcpy(io->sbp, task->datain.data + 2, (size_t)sense_len);
            io->sb_len_wr = (unsigned char)sense_len;
        }
        io->resid = (int)io->dxfer_len;
    } else if (dir == SCSI_XFER_READ) {
        int got = task->datain.size < len ? task->datain.size : len;
        if (got > 0) memcpy(io->dxferp, task->datain.data, (size_t)got);
        io->resid = len - got;
    } else if (dir == SCSI_XFER_WRITE && task->residual_status == SCSI_RESIDUAL_UNDERFLOW) {
        io->resid = (int)task->residual;
    }
    scsi_free_scsi_task(task);
    return 0;
}

/* ---- mhVTL userland backend ----
 * markh794/mhvtl@fada6b85 include/tcmu_proto.h and usr/transport_userland.c: little-endian structs with natural
 * C alignment, each after an 8-byte header {u32 type, u32 data_len}:
 *   MSG_CDB (4)      u64 cmd_id, u8 cdb[16], u32 data_len            40 bytes in all
 *   MSG_CDB_RESP (5) u64 cmd_id, u8 sam_stat, u8 sense[96], u32 data_len   120 bytes, then data_len bytes DATA-IN
 *   MSG_DATA_REQ (6) u64 cmd_id, u32 data_len                        24 bytes: the daemon asks for DATA-OUT
 *   MSG_DATA_OUT (7) u64 cmd_id, u32 data_len                        24 bytes, then the data
 */
struct ul_hdr { uint32_t type, data_len; };
struct ul_cdb { struct ul_hdr hdr; uint64_t cmd_id; uint8_t cdb[16]; uint32_t data_len; };
struct ul_cdb_resp { struct ul_hdr hdr; uint64_t cmd_id; uint8_t sam_stat; uint8_t sense[96]; uint32_t data_len; };
struct ul_data_req { struct ul_hdr hdr; uint64_t cmd_id; uint32_t data_len; };
_Static_assert(sizeof(struct ul_cdb) == 40, "MSG_CDB is 40 bytes");
_Static_assert(sizeof(struct ul_cdb_resp) == 120, "MSG_CDB_RESP is 120 bytes");
_Static_assert(sizeof(struct ul_data_req) == 24, "MSG_DATA_REQ/OUT are 24 bytes");

static int io_all(int fd, void *buf, size_t len, int writing, int timeout_ms)
{
    uint8_t *p = buf;
    while (len > 0) {
        struct pollfd pfd = { .fd = fd, .events = writing ? POLLOUT : POLLIN };
        int r = poll(&pfd, 1, timeout_ms);
        if (r == 0) { errno = ETIMEDOUT; return -1; }
        if (r < 0) { if (errno == EINTR) continue; return -1; }
        ssize_t n = writing ? send(fd, p, len, MSG_NOSIGNAL) : recv(fd, p, len, 0);
        if (n == 0) { errno = ECONNRESET; return -1; }
        if (n < 0) { if (errno == EINTR) continue; return -1; }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int mhvtl_connect(struct mapping *m)
{
    if (m->sock >= 0) return 0;
    const char *path = m->target + 6;
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof addr.sun_path) { log_line("%s: socket path too long", path); return -1; }
    strcpy(addr.sun_path, path);
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) return -1;
    if (connect(s, (struct sockaddr *)&addr, sizeof addr) != 0) {
        log_line("%s: %s", path, strerror(errno));
        close(s);
        return -1;
    }
    m->sock = s;
    return 0;
}

static int mhvtl_backend_execute(struct mapping *m, sg_io_hdr_t *io)
{
    int timeout_ms = io->timeout ? (int)io->timeout : 60000;
    if (mhvtl_connect(m) != 0) { io->host_status = DID_ERROR; return 0; }
    struct ul_cdb cmd;
    memset(&cmd, 0, sizeof cmd);
    cmd.hdr.type = 4;
    cmd.hdr.data_len = sizeof cmd - sizeof cmd.hdr;
    cmd.cmd_id = ++m->next_cmd_id;
    memcpy(cmd.cdb, io->cmdp, io->cmd_len > 16 ? 16 : io->cmd_len);
    cmd.data_len = io->dxfer_direction == SG_DXFER_FROM_DEV ? io->dxfer_len : 0;
    if (io_all(m->sock, &cmd, sizeof cmd, 1, timeout_ms) != 0) goto broken;
    for (;;) {
        struct ul_hdr hdr;
        if (io_all(m->sock, &hdr, sizeof hdr, 0, timeout_ms) != 0) goto broken;
        if (hdr.type == 6) {
            struct ul_data_req req;
            req.hdr = hdr;
            if (hdr.data_len != sizeof req - sizeof hdr) goto protocol;
            if (io_all(m->sock, (uint8_t *)&req + sizeof hdr, hdr.data_len, 0, timeout_ms) != 0) goto broken;
            uint32_t n = io->dxfer_direction == SG_DXFER_TO_DEV ? io->dxfer_len : 0;
            if (n > req.data_len) n = req.data_len;
            struct ul_data_req out = { { 7, sizeof out - sizeof out.hdr }, req.cmd_id, n };
            if (io_all(m->sock, &out, sizeof out, 1, timeout_ms) != 0) goto broken;
            if (n && io_all(m->sock, io->dxferp, n, 1, timeout_ms) != 0) goto broken;
            continue;
        }
        if (hdr.type != 5 || hdr.data_len < sizeof(struct ul_cdb_resp) - sizeof hdr) goto protocol;
        struct ul_cdb_resp resp;
        resp.hdr = hdr;
        if (io_all(m->sock, (uint8_t *)&resp + sizeof hdr, sizeof resp - sizeof hdr, 0, timeout_ms) != 0) goto broken;
        io->status = resp.sam_stat;
        if (resp.sam_stat == SCSI_STATUS_CHECK_CONDITION) {
            /* fixed format: additional sense length in byte 7 (SPC-5 §4.4.3); descriptor: byte 7 as well */
            int sense_len = 8 + resp.sense[7];
            if (sense_len > 96) sense_len = 96;
            if (sense_len > io->mx_sb_len) sense_len = io->mx_sb_len;
            memcpy(io->sbp, resp.sense, (size_t)sense_len);
            io->sb_len_wr = (unsigned char)sense_len;
        }
        uint32_t keep = io->dxfer_direction == SG_DXFER_FROM_DEV ? io->dxfer_len : 0;
        if (keep > resp.data_len) keep = resp.data_len;
        if (keep && io_all(m->sock, io->dxferp, keep, 0, timeout_ms) != 0) goto broken;
        /* the daemon may send more than the allocation length asked for: read and drop the rest */
        for (uint32_t rest = resp.data_len - keep; rest > 0;) {
            uint8_t sink[4096];
            uint32_t n = rest > sizeof sink ? sizeof sink : rest;
            if (io_all(m->sock, sink, n, 0, timeout_ms) != 0) goto broken;
            rest -= n;
        }
        io->resid = (int)((io->dxfer_direction == SG_DXFER_FROM_DEV ? io->dxfer_len : 0) - keep);
        return 0;
    }
protocol:
    log_line("%s: unexpected reply from the daemon", m->target);
broken:
    io->host_status = errno == ETIMEDOUT ? DID_TIME_OUT : DID_ERROR;
    close(m->sock);
    m->sock = -1;
    return 0;
}

/* ---- the ioctl entry point ---- */

static int sg_io(struct mapping *m, sg_io_hdr_t *io)
{
    if (io->interface_id != 'S') { errno = ENOSYS; return -1; }
    if (m->fail_first > 0) { m->fail_first--; errno = EINVAL; return -1; }
    if (max_transfer && io->dxfer_len > max_transfer) {
        if (debug) log_line("%s: %u-byte transfer above SGBRIDGE_MAX_TRANSFER refused (EINVAL)", m->target, io->dxfer_len);
        errno = EINVAL;
        return -1;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    io->status = io->masked_status = io->msg_status = 0;
    io->host_status = io->driver_status = 0;
    io->sb_len_wr = 0;
    io->resid = 0;
    io->info = 0;
    if (m->backend == BACKEND_ISCSI) iscsi_backend_execute(m, io);
    else mhvtl_backend_execute(m, io);
    io->masked_status = (io->status >> 1) & 0x7f;
    if (io->sb_len_wr) io->driver_status = DRIVER_SENSE;
    if (io->status || io->host_status || io->driver_status) io->info |= SG_INFO_CHECK;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    io->duration = (unsigned)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
    if (debug) {
        char cdb[16 * 3 + 1] = "";
        for (int i = 0; i < io->cmd_len && i < 16; i++) sprintf(cdb + i * 3, "%02x ", io->cmdp[i]);
        log_line("%s cdb %sstatus %02x host %02x sense %u resid %d", m->target, cdb, io->status,
                 io->host_status, io->sb_len_wr, io->resid);
    }
    return 0;
}

int ioctl(int fd, unsigned long request, ...)
{
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    if (!real_ioctl) real_ioctl = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
    struct mapping *m = mapping_for_fd(fd);
    if (!m) return real_ioctl(fd, request, arg);
    switch (request) {
    case SG_IO: return sg_io(m, arg);
    case SG_GET_VERSION_NUM: *(int *)arg = 30536; return 0;
    case SG_SET_TIMEOUT: return 0;
    case SG_GET_TIMEOUT: return 60 * 100;  /* returned as the value, in jiffies (USER_HZ) */
    case SG_GET_RESERVED_SIZE: *(int *)arg = reserved_size; return 0;
    case SG_SET_RESERVED_SIZE: return 0;
    case SG_EMULATED_HOST: *(int *)arg = 0; return 0;
    case SG_GET_SG_TABLESIZE: *(int *)arg = 128; return 0;
    case SCSI_IOCTL_GET_IDLUN:
        /* struct { int dev_id; int host_unique_id; }: dev_id packs target, lun, channel, host; all 0 here, so
           programs that put the LUN into SCSI-2 CDB byte 1 (mtx does) leave it 0 as the target expects. */
        memset(arg, 0, 2 * sizeof(int));
        return 0;
    case SCSI_IOCTL_GET_BUS_NUMBER: *(int *)arg = 0; return 0;
    default:
        if (debug) log_line("ioctl 0x%lx on %s refused (ENOTTY)", request, m->path);
        errno = ENOTTY;
        return -1;
    }
}
