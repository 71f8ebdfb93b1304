/*
 * Peer figure for BENCHMARKS.md (issue 11): TurboJPEG decode-only rate on in-memory JPEGs.
 *
 *     tools/bench_turbojpeg.sh DIR [--threads 1,2] [--passes 3]
 *
 * Loads every .jpg/.jpeg under DIR (recursively) into memory, then for each thread count decodes all of them
 * to packed RGB with tjDecompress2 (flags 0: libjpeg-turbo's defaults, accurate DCT and fancy upsampling),
 * one tjhandle and one reused output buffer per thread, images handed out by an atomic counter, and keeps
 * the best of the passes. One untimed warm-up pass over the first images precedes the timed passes.
 * Prints one line per thread count:
 *
 *     turbojpeg threads=2 images=2000 passes=3 pixels=123456789 best_s=1.234567 img_per_s=1620.5
 *
 * (pixels is the sum of width * height, so a caller can check that it decoded the same images.)
 */
#define _GNU_SOURCE
#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <turbojpeg.h>

typedef struct {
    unsigned char *data;
    unsigned long size;
    char *path;
} jpeg_file;

static jpeg_file *files;
static size_t file_count, file_capacity;

typedef struct {
    size_t limit;
    atomic_size_t next;
    atomic_ullong pixels;
    atomic_int failed;
} pass_state;

static int is_jpeg(const char *path) {
    const char *dot = strrchr(path, '.');
    return dot != NULL && (strcasecmp(dot, ".jpg") == 0 || strcasecmp(dot, ".jpeg") == 0);
}

static int collect(const char *path, const struct stat *st, int type, struct FTW *ftw) {
    (void)ftw;
    if (type != FTW_F || !is_jpeg(path)) return 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) { perror(path); return 1; }
    unsigned char *data = malloc((size_t)st->st_size);
    if (data == NULL || fread(data, 1, (size_t)st->st_size, f) != (size_t)st->st_size) {
        fprintf(stderr, "cannot read %s\n", path);
        fclose(f);
        return 1;
    }
    fclose(f);
    if (file_count == file_capacity) {
        file_capacity = file_capacity ? file_capacity * 2 : 1024;
        files = realloc(files, file_capacity * sizeof *files);
        if (files == NULL) { fprintf(stderr, "out of memory\n"); return 1; }
    }
    files[file_count++] = (jpeg_file){ data, (unsigned long)st->st_size, strdup(path) };
    return 0;
}

static int by_path(const void *a, const void *b) {
    return strcmp(((const jpeg_file *)a)->path, ((const jpeg_file *)b)->path);
}

static void *decode_worker(void *arg) {
    pass_state *state = arg;
    tjhandle handle = tjInitDecompress();
    if (handle == NULL) { fprintf(stderr, "tjInitDecompress: %s\n", tjGetErrorStr()); atomic_store(&state->failed, 1); return NULL; }
    unsigned char *out = NULL;
    size_t out_capacity = 0;
    unsigned long long pixels = 0;
    for (size_t i; (i = atomic_fetch_add(&state->next, 1)) < state->limit;) {
        int width, height, subsamp, colorspace;
        if (tjDecompressHeader3(handle, files[i].data, files[i].size, &width, &height, &subsamp, &colorspace) != 0) {
            fprintf(stderr, "%s: %s\n", files[i].path, tjGetErrorStr2(handle));
            atomic_store(&state->failed, 1);
            break;
        }
        size_t need = (size_t)width * (size_t)height * 3;
        if (need > out_capacity) {
            free(out);
            out = malloc(need);
            out_capacity = need;
            if (out == NULL) { fprintf(stderr, "out of memory\n"); atomic_store(&state->failed, 1); break; }
        }
        /* A warning (e.g. a truncated but displayable file) still produces the image, as every other decoder here. */
        if (tjDecompress2(handle, files[i].data, files[i].size, out, width, 0, height, TJPF_RGB, 0) != 0
            && tjGetErrorCode(handle) != TJERR_WARNING) {
            fprintf(stderr, "%s: %s\n", files[i].path, tjGetErrorStr2(handle));
            atomic_store(&state->failed, 1);
            break;
        }
        pixels += (unsigned long long)width * (unsigned long long)height;
    }
    atomic_fetch_add(&state->pixels, pixels);
    free(out);
    tjDestroy(handle);
    return NULL;
}

/* Runs one pass over the first `limit` files on `threads` threads; returns seconds, or -1 on failure. */
static double run_pass(int threads, size_t limit, unsigned long long *pixels) {
    pass_state state = { .limit = limit };
    atomic_init(&state.next, 0);
    atomic_init(&state.pixels, 0);
    atomic_init(&state.failed, 0);
    pthread_t *ids = calloc((size_t)threads, sizeof *ids);
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int t = 0; t < threads; t++) pthread_create(&ids[t], NULL, decode_worker, &state);
    for (int t = 0; t < threads; t++) pthread_join(ids[t], NULL);
    clock_gettime(CLOCK_MONOTONIC, &end);
    free(ids);
    *pixels = atomic_load(&state.pixels);
    if (atomic_load(&state.failed)) return -1;
    return (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
}

static int usage(void) {
    fprintf(stderr, "usage: bench_turbojpeg DIR [--threads 1,2] [--passes 3]\n");
    return 2;
}

int main(int argc, char **argv) {
    if (argc < 2) return usage();
    const char *dir = argv[1];
    const char *thread_list = "1,2";
    int passes = 3;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) thread_list = argv[++i];
        else if (strcmp(argv[i], "--passes") == 0 && i + 1 < argc) passes = atoi(argv[++i]);
        else return usage();
    }
    if (passes < 1) return usage();

    if (nftw(dir, collect, 32, FTW_PHYS) != 0) { fprintf(stderr, "cannot load the JPEGs under %s\n", dir); return 1; }
    if (file_count == 0) { fprintf(stderr, "no .jpg/.jpeg files under %s\n", dir); return 1; }
    qsort(files, file_count, sizeof *files, by_path);

    char *list = strdup(thread_list);
    for (char *save = NULL, *item = strtok_r(list, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save)) {
        int threads = atoi(item);
        if (threads < 1) return usage();
        unsigned long long pixels;
        size_t warm = file_count < 50 ? file_count : 50;
        if (run_pass(threads, warm, &pixels) < 0) return 1;
        double best = -1;
        for (int p = 0; p < passes; p++) {
            double seconds = run_pass(threads, file_count, &pixels);
            if (seconds < 0) return 1;
            if (best < 0 || seconds < best) best = seconds;
        }
        printf("turbojpeg threads=%d images=%zu passes=%d pixels=%llu best_s=%.6f img_per_s=%.1f\n",
               threads, file_count, passes, pixels, best, (double)file_count / best);
        fflush(stdout);
    }
    free(list);
    return 0;
}
