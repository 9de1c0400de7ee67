// The f32-lane Q8_0 matrix-vector product of ra-model's former Q8_0 kernel (the loop of q8_0-matvec.c) over one
// Q8_0 tensor of a GGUF file, on OpenMP threads (static halves), read from the mapped file and from a copy in
// allocated memory, alternating (README, "The 1B shape"). Prints wall time and GB/s per product.
//   gcc -O3 -march=native -fopenmp q8_0-matvec-mapped.c -o q8_0-matvec-mapped
//   OMP_NUM_THREADS=2 ./q8_0-matvec-mapped FILE OFFSET ROWS COLS
// OFFSET: the tensor's absolute byte offset in FILE (data section start + the tensor's offset); COLS a multiple of 32.
// On the 1B Q8_0 file of docs/vs-llama-cpp-1b.sh the tied output matrix token_embd.weight is at 3233120, 128256 x 2048.
// Needs AVX-512 (F, BW) and F16C.
#include <fcntl.h>
#include <immintrin.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void product(const uint8_t* w, long rows, long cols, const float* x, float* out, const char* what) {
  long nb = cols / 32, rb = nb * 34;
  for (int rep = 0; rep < 6; rep++) {
    double t0 = omp_get_wtime();
#pragma omp parallel for schedule(static)
    for (long r = 0; r < rows; r++) {
      const uint8_t* row = w + r * rb;
      __m512 acc = _mm512_setzero_ps();
      for (long b = 0; b < nb; b++) {
        const uint8_t* blk = row + b * 34;
        float d = _cvtsh_ss(*(const uint16_t*)blk);
        __m128i q0 = _mm_loadu_si128((const __m128i*)(blk + 2)), q1 = _mm_loadu_si128((const __m128i*)(blk + 18));
        __m512 f0 = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(q0)), f1 = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(q1));
        __m512 s = _mm512_fmadd_ps(f1, _mm512_loadu_ps(x + b * 32 + 16), _mm512_mul_ps(f0, _mm512_loadu_ps(x + b * 32)));
        acc = _mm512_fmadd_ps(s, _mm512_set1_ps(d), acc);
      }
      out[r] = _mm512_reduce_add_ps(acc);
    }
    double dt = omp_get_wtime() - t0;
    printf("%s: %.2f ms, %.1f GB/s (%f)\n", what, dt * 1e3, rows * rb / dt / 1e9, out[rows / 2]);
  }
}

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s FILE OFFSET ROWS COLS\n", argv[0]);
    return 2;
  }
  long off = atol(argv[2]), rows = atol(argv[3]), cols = atol(argv[4]), bytes = rows * (cols / 32) * 34;
  int fd = open(argv[1], O_RDONLY);
  long size = fd < 0 ? -1 : lseek(fd, 0, SEEK_END);
  if (size < off + bytes || cols % 32 != 0) {
    fprintf(stderr, "%s: cannot read %ld bytes at %ld (file size %ld; COLS a multiple of 32)\n", argv[1], bytes, off, size);
    return 2;
  }
  uint8_t* mapped = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
  uint8_t* copy = aligned_alloc(4096, bytes + 4096);
  memcpy(copy + off % 4096, mapped + off, bytes);
  float* x = aligned_alloc(64, cols * sizeof(float));
  float* out = malloc(rows * sizeof(float));
  for (long i = 0; i < cols; i++) x[i] = (i % 7) * 0.01f;
  for (int k = 0; k < 2; k++) {
    product(mapped + off, rows, cols, x, out, "mapped");
    product(copy + off % 4096, rows, cols, x, out, "copied");
  }
  return 0;
}
