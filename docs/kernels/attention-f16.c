// A full-attention decode step in C, for comparison with the cpu backend's f16 kernel (README,
// "Decode speed vs llama.cpp"; docs/performance-log.md, 2026-12-06 session 6). The same layout and
// work as the backend's full step on synthetic:bench-small's geometry: 4 layers x 4 KV heads, each with
// 2 query heads of 64; keys f16 in tiles of 16 slots transposed within the tile, values f16 row-major;
// one query: scores (F16C conversion + FMA), a softmax (expf, vectorised by -ffast-math), the weighted
// sum. Prints the lower quartile of ms per step over ROUNDS and the K/V read rate. Not part of the build.
//
//   gcc -O3 -march=native -ffast-math -fopenmp attention-f16.c -o attention-f16 -lm
//   OMP_NUM_THREADS=2 ./attention-f16 [n = 32768] [rounds = 30]
//
// Compare with the attention-only microbenchmark (its "full" column), alternating in one script:
//   java --add-modules jdk.incubator.vector -cp ... org.recycledattention.backend.cpu.RecycledStepMicrobench 32768 2 10 30
#include <immintrin.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#define D 64
#define G 2
#define UNITS 16
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1e3+t.tv_nsec/1e6;}
static int cmp(const void*a,const void*b){double x=*(double*)a,y=*(double*)b;return x<y?-1:x>y;}
int main(int argc,char**argv){
  int n=argc>1?atoi(argv[1]):32768, rounds=argc>2?atoi(argv[2]):30;
  uint16_t *K[UNITS],*V[UNITS];
  for(int u=0;u<UNITS;u++){K[u]=aligned_alloc(64,(size_t)n*D*2);V[u]=aligned_alloc(64,(size_t)n*D*2);
    for(size_t i=0;i<(size_t)n*D;i++){K[u][i]=_cvtss_sh((float)((rand()%2001)-1000)/1000.f,0);V[u][i]=_cvtss_sh((float)((rand()%2001)-1000)/1000.f,0);}}
  float q[UNITS][G][D]; for(int u=0;u<UNITS;u++)for(int g=0;g<G;g++)for(int x=0;x<D;x++)q[u][g][x]=(float)((rand()%2001)-1000)/1000.f;
  int T=omp_get_max_threads(); float *P[64]; for(int t=0;t<T;t++)P[t]=aligned_alloc(64,(size_t)G*n*4);
  float out[UNITS][G][D]; double *ms=malloc(sizeof(double)*rounds); const float scale=0.125f;
  for(int r=-5;r<rounds;r++){
    double t0=now();
    #pragma omp parallel for schedule(static)
    for(int u=0;u<UNITS;u++){
      float *p=P[omp_get_thread_num()];
      for(int t=0;t<n/16;t++){
        __m512 a0=_mm512_setzero_ps(),a1=_mm512_setzero_ps();
        const uint16_t*kt=K[u]+(size_t)t*16*D;
        for(int x=0;x<D;x++){__m512 k=_mm512_cvtph_ps(_mm256_load_si256((const __m256i*)(kt+x*16)));
          a0=_mm512_fmadd_ps(_mm512_set1_ps(q[u][0][x]),k,a0);a1=_mm512_fmadd_ps(_mm512_set1_ps(q[u][1][x]),k,a1);}
        _mm512_store_ps(p+t*16,_mm512_mul_ps(a0,_mm512_set1_ps(scale)));_mm512_store_ps(p+n+t*16,_mm512_mul_ps(a1,_mm512_set1_ps(scale)));
      }
      for(int g=0;g<G;g++){float*s=p+(size_t)g*n;float m=-INFINITY;for(int i=0;i<n;i++)m=fmaxf(m,s[i]);
        float sum=0;for(int i=0;i<n;i++){s[i]=expf(s[i]-m);sum+=s[i];}float inv=1.f/sum;for(int i=0;i<n;i++)s[i]*=inv;}
      __m512 o[G][4];for(int g=0;g<G;g++)for(int c=0;c<4;c++)o[g][c]=_mm512_setzero_ps();
      for(int i=0;i<n;i++){const uint16_t*v=V[u]+(size_t)i*D;
        __m512 v0=_mm512_cvtph_ps(_mm256_load_si256((const __m256i*)v)),v1=_mm512_cvtph_ps(_mm256_load_si256((const __m256i*)(v+16))),
               v2=_mm512_cvtph_ps(_mm256_load_si256((const __m256i*)(v+32))),v3=_mm512_cvtph_ps(_mm256_load_si256((const __m256i*)(v+48)));
        for(int g=0;g<G;g++){__m512 w=_mm512_set1_ps(p[(size_t)g*n+i]);
          o[g][0]=_mm512_fmadd_ps(w,v0,o[g][0]);o[g][1]=_mm512_fmadd_ps(w,v1,o[g][1]);o[g][2]=_mm512_fmadd_ps(w,v2,o[g][2]);o[g][3]=_mm512_fmadd_ps(w,v3,o[g][3]);}}
      for(int g=0;g<G;g++)for(int c=0;c<4;c++)_mm512_storeu_ps(&out[u][g][c*16],o[g][c]);
    }
    double t1=now(); if(r>=0)ms[r]=t1-t0;
  }
  qsort(ms,rounds,sizeof(double),cmp);
  double bytes=(double)UNITS*n*D*2*2;
  printf("C full step n=%d threads=%d: %.3f ms (lower quartile), %.1f GB/s; check %g\n",n,T,ms[rounds/4],bytes/ms[rounds/4]/1e6,out[3][1][5]);
}
