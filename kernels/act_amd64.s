//go:build !purego

#include "textflag.h"

// LeakyReLU forward and backward, AVX-512 and AVX2: the slope product
// is computed for every lane and the lanes with 0 < x keep x (or dy), a
// blend rather than max(x, slope·x), so that any slope and a NaN (which
// takes the slope lane, NaN either way) give the generic kernel's bits.

// LEAKY512 sets t to x where 0 < x, else to slope·x, the slope in Z30
// and zero in Z31, through the mask k; LEAKY256 is its AVX2 form, the
// slope in Y14, zero in Y15, the mask in m.
#define LEAKY512(x, t, k) \
	VMULPS x, Z30, t; \
	VCMPPS $0x11, x, Z31, k; \
	VMOVAPS x, k, t

#define LEAKY256(x, t, m) \
	VMULPS x, Y14, t; \
	VCMPPS $0x11, x, Y15, m; \
	VBLENDVPS m, x, t, t

// func leakyReluAVX512(dst, x []float32, slope float32)
TEXT ·leakyReluAVX512(SB), NOSPLIT, $0-52
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	VBROADCASTSS slope+48(FP), Z30
	VPXORD Z31, Z31, Z31

lloop2:
	CMPQ CX, $32
	JLT  lloop1
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	LEAKY512(Z0, Z2, K2)
	LEAKY512(Z1, Z3, K3)
	VMOVUPS Z2, (DI)
	VMOVUPS Z3, 64(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JMP  lloop2

lloop1:
	CMPQ CX, $16
	JLT  ltail
	VMOVUPS (SI), Z0
	LEAKY512(Z0, Z2, K2)
	VMOVUPS Z2, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, CX

ltail:
	TESTQ CX, CX
	JE    ldone
	MOVL  $1, R10
	SHLL  CX, R10
	DECL  R10
	KMOVW R10, K1
	VMOVUPS.Z (SI), K1, Z0
	VMULPS Z0, Z30, Z2
	VCMPPS $0x11, Z0, Z31, K1, K2
	VMOVAPS Z0, K2, Z2
	VMOVUPS Z2, K1, (DI)

ldone:
	VZEROUPPER
	RET

// func leakyReluBackwardAVX512(dx, x, dy []float32, slope float32)
// dx = dy where 0 < x, else slope·dy.
TEXT ·leakyReluBackwardAVX512(SB), NOSPLIT, $0-76
	MOVQ dx_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ dy_base+48(FP), DX
	MOVQ dx_len+8(FP), CX
	VBROADCASTSS slope+72(FP), Z30
	VPXORD Z31, Z31, Z31

bloop2:
	CMPQ CX, $32
	JLT  bloop1
	VMOVUPS (DX), Z0
	VMOVUPS 64(DX), Z1
	VMULPS Z0, Z30, Z2
	VMULPS Z1, Z30, Z3
	VCMPPS $0x11, (SI), Z31, K2
	VCMPPS $0x11, 64(SI), Z31, K3
	VMOVAPS Z0, K2, Z2
	VMOVAPS Z1, K3, Z3
	VMOVUPS Z2, (DI)
	VMOVUPS Z3, 64(DI)
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $128, DI
	SUBQ $32, CX
	JMP  bloop2

bloop1:
	CMPQ CX, $16
	JLT  btail
	VMOVUPS (DX), Z0
	VMULPS Z0, Z30, Z2
	VCMPPS $0x11, (SI), Z31, K2
	VMOVAPS Z0, K2, Z2
	VMOVUPS Z2, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX

btail:
	TESTQ CX, CX
	JE    bdone
	MOVL  $1, R10
	SHLL  CX, R10
	DECL  R10
	KMOVW R10, K1
	VMOVUPS.Z (DX), K1, Z0
	VMOVUPS.Z (SI), K1, Z1
	VMULPS Z0, Z30, Z2
	VCMPPS $0x11, Z1, Z31, K1, K2
	VMOVAPS Z0, K2, Z2
	VMOVUPS Z2, K1, (DI)

bdone:
	VZEROUPPER
	RET

// ATAIL8 sets Y13 to a mask of the low CX lanes (0 < CX < 8).
#define ATAIL8 \
	MOVQ $8, R10; \
	SUBQ CX, R10; \
	LEAQ ·memTail8(SB), R11; \
	VMOVDQU (R11)(R10*4), Y13

// func leakyReluAVX2(dst, x []float32, slope float32)
TEXT ·leakyReluAVX2(SB), NOSPLIT, $0-52
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	VBROADCASTSS slope+48(FP), Y14
	VXORPS Y15, Y15, Y15

mloop2:
	CMPQ CX, $16
	JLT  mloop1
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	LEAKY256(Y0, Y2, Y4)
	LEAKY256(Y1, Y3, Y5)
	VMOVUPS Y2, (DI)
	VMOVUPS Y3, 32(DI)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  mloop2

mloop1:
	CMPQ CX, $8
	JLT  mtail
	VMOVUPS (SI), Y0
	LEAKY256(Y0, Y2, Y4)
	VMOVUPS Y2, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX

mtail:
	TESTQ CX, CX
	JE    mdone
	ATAIL8
	VMASKMOVPS (SI), Y13, Y0
	LEAKY256(Y0, Y2, Y4)
	VMASKMOVPS Y2, Y13, (DI)

mdone:
	VZEROUPPER
	RET

// func leakyReluBackwardAVX2(dx, x, dy []float32, slope float32)
TEXT ·leakyReluBackwardAVX2(SB), NOSPLIT, $0-76
	MOVQ dx_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ dy_base+48(FP), DX
	MOVQ dx_len+8(FP), CX
	VBROADCASTSS slope+72(FP), Y14
	VXORPS Y15, Y15, Y15

nloop2:
	CMPQ CX, $16
	JLT  nloop1
	VMOVUPS (DX), Y0
	VMOVUPS 32(DX), Y1
	VMULPS Y0, Y14, Y2
	VMULPS Y1, Y14, Y3
	VCMPPS $0x11, (SI), Y15, Y4
	VCMPPS $0x11, 32(SI), Y15, Y5
	VBLENDVPS Y4, Y0, Y2, Y2
	VBLENDVPS Y5, Y1, Y3, Y3
	VMOVUPS Y2, (DI)
	VMOVUPS Y3, 32(DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  nloop2

nloop1:
	CMPQ CX, $8
	JLT  ntail
	VMOVUPS (DX), Y0
	VMULPS Y0, Y14, Y2
	VCMPPS $0x11, (SI), Y15, Y4
	VBLENDVPS Y4, Y0, Y2, Y2
	VMOVUPS Y2, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	SUBQ $8, CX

ntail:
	TESTQ CX, CX
	JE    ndone
	ATAIL8
	VMASKMOVPS (DX), Y13, Y0
	VMASKMOVPS (SI), Y13, Y1
	VMULPS Y0, Y14, Y2
	VCMPPS $0x11, Y1, Y15, Y4
	VBLENDVPS Y4, Y0, Y2, Y2
	VMASKMOVPS Y2, Y13, (DI)

ndone:
	VZEROUPPER
	RET

// func addLeakyReluAVX512(dst, a, b []float32, slope float32)
// dst = leakyRelu(a + b) over len(a): the sum rounded, then the blend of
// leakyReluAVX512, so the bits of Add and LeakyRelu run one after the
// other. dst may be a.
TEXT ·addLeakyReluAVX512(SB), NOSPLIT, $0-76
	MOVQ dst_base+0(FP), DI
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DX
	MOVQ a_len+32(FP), CX
	VBROADCASTSS slope+72(FP), Z30
	VPXORD Z31, Z31, Z31

alrloop2:
	CMPQ CX, $32
	JLT  alrloop1
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VADDPS (DX), Z0, Z0
	VADDPS 64(DX), Z1, Z1
	LEAKY512(Z0, Z2, K2)
	LEAKY512(Z1, Z3, K3)
	VMOVUPS Z2, (DI)
	VMOVUPS Z3, 64(DI)
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $128, DI
	SUBQ $32, CX
	JMP  alrloop2

alrloop1:
	CMPQ CX, $16
	JLT  alrtail
	VMOVUPS (SI), Z0
	VADDPS (DX), Z0, Z0
	LEAKY512(Z0, Z2, K2)
	VMOVUPS Z2, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX

alrtail:
	TESTQ CX, CX
	JE    alrdone
	MOVL  $1, R10
	SHLL  CX, R10
	DECL  R10
	KMOVW R10, K1
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (DX), K1, Z1
	VADDPS Z1, Z0, Z0
	VMULPS Z0, Z30, Z2
	VCMPPS $0x11, Z0, Z31, K1, K2
	VMOVAPS Z0, K2, Z2
	VMOVUPS Z2, K1, (DI)

alrdone:
	VZEROUPPER
	RET

// func addLeakyReluAVX2(dst, a, b []float32, slope float32)
// addLeakyReluAVX512 with the blend of leakyReluAVX2.
TEXT ·addLeakyReluAVX2(SB), NOSPLIT, $0-76
	MOVQ dst_base+0(FP), DI
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DX
	MOVQ a_len+32(FP), CX
	VBROADCASTSS slope+72(FP), Y14
	VXORPS Y15, Y15, Y15

blrloop2:
	CMPQ CX, $16
	JLT  blrloop1
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VADDPS (DX), Y0, Y0
	VADDPS 32(DX), Y1, Y1
	LEAKY256(Y0, Y2, Y4)
	LEAKY256(Y1, Y3, Y5)
	VMOVUPS Y2, (DI)
	VMOVUPS Y3, 32(DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  blrloop2

blrloop1:
	CMPQ CX, $8
	JLT  blrtail
	VMOVUPS (SI), Y0
	VADDPS (DX), Y0, Y0
	LEAKY256(Y0, Y2, Y4)
	VMOVUPS Y2, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	SUBQ $8, CX

blrtail:
	TESTQ CX, CX
	JE    blrdone
	ATAIL8
	VMASKMOVPS (SI), Y13, Y0
	VMASKMOVPS (DX), Y13, Y1
	VADDPS Y1, Y0, Y0
	LEAKY256(Y0, Y2, Y4)
	VMASKMOVPS Y2, Y13, (DI)

blrdone:
	VZEROUPPER
	RET
