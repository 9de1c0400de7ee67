// The Q8_0 matrix-vector product of ra-model's Q8_0Tensor written in C, for comparison with the Java kernel
// (README, "The 1B shape"): 65536 x 2048 Q8_0 weights (142 MB), f32 activations, one thread, CPU time.
//   gcc -O3 -march=native q8_0-matvec.c -o q8_0-matvec && ./q8_0-matvec SHIFT
// SHIFT: bytes from a 4 KiB page boundary to the first block. Needs AVX-512 (F, BW).
// The scale is read as its 16 bits times a constant instead of decoded as an f16: the same memory traffic.
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <stdint.h>
static double now(){struct timespec t;clock_gettime(CLOCK_THREAD_CPUTIME_ID,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int main(int argc,char**argv){
  long shift=atol(argv[1]); long rows=65536, cols=2048, nb=cols/32, rb=nb*34; long n=rows*rb;
  uint8_t* raw=aligned_alloc(4096, n+8192); memset(raw,1,n+8192); uint8_t* w=raw+shift;
  for(long i=0;i<n;i++) w[i]=(uint8_t)(i*7);
  float* x=aligned_alloc(64,cols*4); for(int i=0;i<cols;i++) x[i]=i*0.001f;
  float* out=malloc(rows*4);
  double best=1e9;
  for(int rep=0;rep<8;rep++){
    double t0=now();
    for(long r=0;r<rows;r++){
      const uint8_t* row=w+r*rb; __m512 acc=_mm512_setzero_ps();
      for(long b=0;b<nb;b++){
        const uint8_t* blk=row+b*34;
        float d=(float)(*(const uint16_t*)blk)*1e-5f;
        __m128i q0=_mm_loadu_si128((const __m128i*)(blk+2)), q1=_mm_loadu_si128((const __m128i*)(blk+18));
        __m512 f0=_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(q0)), f1=_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(q1));
        __m512 s=_mm512_fmadd_ps(f1,_mm512_loadu_ps(x+b*32+16),_mm512_mul_ps(f0,_mm512_loadu_ps(x+b*32)));
        acc=_mm512_fmadd_ps(s,_mm512_set1_ps(d),acc);
      }
      out[r]=_mm512_reduce_add_ps(acc);
    }
    double dt=now()-t0; if(dt<best)best=dt;
  }
  printf("shift %ld: %.1f ns per 256 weights (%.2f GB/s) %f\n",shift,best/(rows*cols/256.0)*1e9,n/best/1e9,out[5]);
}
