// One 3x3 stride-1 layer of C -> C channels at HxH, batch N: oneDNN's direct kernels (NHWC) against
// Loupe's Winograd (CWinograd): oneDNN's forward, input gradient and weight gradient, then Loupe's
// forward (its input gradient is the same pass by another weight) and weight gradient, per round.
// Build against a release build's objects, from the package root:
//   B=.build/release; clang -O2 -ISources/CWinograd/include scripts/bench/winograd_layers.c \
//     $B/CWinograd.build/*.o $B/COpenMP.build/*.o -ldnnl -lgomp -lm -o /tmp/winograd_layers
//   OMP_NUM_THREADS=2 /tmp/winograd_layers REPS N C H ISA [ROUNDS]   (ISA 0 = AVX2, 1 = AVX-512)
// e.g. `20 128 32 14 1` for ResNet-20's 32-channel layers. It first checks ISA's kernels against
// the AVX2 ones (max difference) and prints times in ms per pass.
#include <dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "CWinograd.h"
#define CK(x) do{dnnl_status_t s=(x); if(s!=dnnl_success){fprintf(stderr,"%s:%d err %d\n",__FILE__,__LINE__,s);exit(1);}}while(0)
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
dnnl_engine_t eng; dnnl_stream_t st;
static dnnl_memory_t mk(const dnnl_memory_desc_t*md){dnnl_memory_t m; CK(dnnl_memory_create(&m,md,eng,DNNL_MEMORY_ALLOCATE)); void*p; dnnl_memory_get_data_handle(m,&p); size_t n=dnnl_memory_desc_get_size(md); for(size_t i=0;i<n/4;i++) ((float*)p)[i]=(rand()%100)/100.f-0.5f; return m;}
static float *rnd(long n){float*p=aligned_alloc(64,((n*4+63)/64)*64);for(long i=0;i<n;i++)p[i]=(rand()%1000)/1000.f-0.5f;return p;}
int main(int argc,char**argv){
 int reps=atoi(argv[1]), N=atoi(argv[2]), C=atoi(argv[3]), H=atoi(argv[4]), isa=atoi(argv[5]), rounds=argc>6?atoi(argv[6]):3;
 CK(dnnl_engine_create(&eng,dnnl_cpu,0)); CK(dnnl_stream_create(&st,eng,dnnl_stream_default_flags));
 dnnl_dims_t sd={N,C,H,H}, wd={C,C,3,3}, strides={1,1}, pads={1,1};
 dnnl_memory_desc_t src,wany; CK(dnnl_memory_desc_init_by_tag(&src,4,sd,dnnl_f32,dnnl_nhwc)); CK(dnnl_memory_desc_init_by_tag(&wany,4,wd,dnnl_f32,dnnl_format_tag_any));
 dnnl_convolution_desc_t fd; CK(dnnl_convolution_forward_desc_init(&fd,dnnl_forward_training,dnnl_convolution_direct,&src,&wany,NULL,&src,strides,pads,pads));
 dnnl_primitive_desc_t fpd; CK(dnnl_primitive_desc_create(&fpd,&fd,NULL,eng,NULL)); dnnl_primitive_t fp; CK(dnnl_primitive_create(&fp,fpd));
 dnnl_convolution_desc_t bd; CK(dnnl_convolution_backward_data_desc_init(&bd,dnnl_convolution_direct,&src,&wany,&src,strides,pads,pads));
 dnnl_primitive_desc_t bpd; CK(dnnl_primitive_desc_create(&bpd,&bd,NULL,eng,fpd)); dnnl_primitive_t bp; CK(dnnl_primitive_create(&bp,bpd));
 dnnl_convolution_desc_t wdd; CK(dnnl_convolution_backward_weights_desc_init(&wdd,dnnl_convolution_direct,&src,&wany,NULL,&src,strides,pads,pads));
 dnnl_primitive_desc_t wpd; CK(dnnl_primitive_desc_create(&wpd,&wdd,NULL,eng,fpd)); dnnl_primitive_t wp; CK(dnnl_primitive_create(&wp,wpd));
 dnnl_memory_t S=mk(&src),D=mk(&src),dS=mk(&src),dD=mk(&src),W=mk(dnnl_primitive_desc_query_md(fpd,dnnl_query_weights_md,0)),WB=mk(dnnl_primitive_desc_query_md(bpd,dnnl_query_weights_md,0)),dW=mk(dnnl_primitive_desc_query_md(wpd,dnnl_query_diff_weights_md,0));
 dnnl_exec_arg_t fa[]={{DNNL_ARG_SRC,S},{DNNL_ARG_WEIGHTS,W},{DNNL_ARG_DST,D}};
 dnnl_exec_arg_t ba[]={{DNNL_ARG_DIFF_DST,dD},{DNNL_ARG_WEIGHTS,WB},{DNNL_ARG_DIFF_SRC,dS}};
 dnnl_exec_arg_t wa[]={{DNNL_ARG_SRC,S},{DNNL_ARG_DIFF_DST,dD},{DNNL_ARG_DIFF_WEIGHTS,dW}};
 long act=(long)N*H*H*C; float *x=rnd(act),*y=rnd(act),*dy=rnd(act),*w=rnd(9L*C*C),*U=rnd(36L*C*C),*dw=rnd(9L*C*C);
 float *work=rnd(loupe_wino_forward_work_floats(C,C)), *gwork=rnd(loupe_wino_weight_gradient_work_floats(N,H,H,C,C));
 loupe_wino_forward_weights(isa,w,C,C,0,U);
 { float *y2=rnd(act), *dw2=rnd(9L*C*C), *U2=rnd(36L*C*C); float *w0=rnd(9L*C*C); for(long i=0;i<9L*C*C;i++){dw[i]=0;dw2[i]=0;}
   loupe_wino_forward_weights(0,w,C,C,0,U2); loupe_wino_forward(0,x,N,H,H,C,U2,C,0,0,0,y2,work); loupe_wino_forward(isa,x,N,H,H,C,U,C,0,0,0,y,work);
   double e=0,m=0; for(long i=0;i<act;i++){double d=y[i]-y2[i]; if(d<0)d=-d; if(d>e)e=d; if((y2[i]<0?-y2[i]:y2[i])>m)m=y2[i]<0?-y2[i]:y2[i];}
   loupe_wino_weight_gradient(0,x,dy,N,H,H,C,C,dw2,gwork); loupe_wino_weight_gradient(isa,x,dy,N,H,H,C,C,dw,gwork);
   double e2=0,m2=0; for(long i=0;i<9L*C*C;i++){double d=dw[i]-dw2[i]; if(d<0)d=-d; if(d>e2)e2=d; if((dw2[i]<0?-dw2[i]:dw2[i])>m2)m2=dw2[i]<0?-dw2[i]:dw2[i];}
   printf("isa %d vs avx2: fwd max diff %g of %g, wgrad %g of %g\n",isa,e,m,e2,m2); (void)w0; }
 for(int r=0;r<rounds;r++){
  double t0=now(); for(int i=0;i<reps;i++) dnnl_primitive_execute(fp,st,3,fa); dnnl_stream_wait(st);
  double t1=now(); for(int i=0;i<reps;i++) dnnl_primitive_execute(bp,st,3,ba); dnnl_stream_wait(st);
  double t2=now(); for(int i=0;i<reps;i++) dnnl_primitive_execute(wp,st,3,wa); dnnl_stream_wait(st);
  double t3=now(); for(int i=0;i<reps;i++) loupe_wino_forward(isa,x,N,H,H,C,U,C,0,0,0,y,work);
  double t4=now(); for(int i=0;i<reps;i++) loupe_wino_weight_gradient(isa,x,dy,N,H,H,C,C,dw,gwork);
  double t5=now(); for(int i=0;i<reps;i++) { loupe_wino_forward_weights(isa,w,C,C,0,U); loupe_wino_input_gradient_weights(isa,w,C,C,U); }
  double t6=now();
  printf("C%d H%d: onednn fwd %.3f bwd_d %.3f bwd_w %.3f | wino fwd %.3f wgrad %.3f U+U %.3f ms\n",C,H,(t1-t0)/reps*1e3,(t2-t1)/reps*1e3,(t3-t2)/reps*1e3,(t4-t3)/reps*1e3,(t5-t4)/reps*1e3,(t6-t5)/reps*1e3);
 }
}
