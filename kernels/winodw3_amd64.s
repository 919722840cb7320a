//go:build !purego

#include "textflag.h"
#include "gemm848_amd64.h"

// func winoDW8x48x3AVX512(k int, a, b0, b1, b2 []float32, ldb int, c []float32, ldc int, beta float32)
// The 8×48 tile of C = A·B + beta·C (beta 0 or 1) of
// sgemmKernel8x48AVX512 with B's three 16-column thirds read in place:
// third j of row p at bj[p·ldb:][:16], rows not packed together. The 3D
// Winograd weight gradient reads its (channel, kd) pairs so, each third
// from the transforms of the input slice of its kd (winoDWJob.slices).
TEXT ·winoDW8x48x3AVX512(SB), NOSPLIT, $0-148
	MOVQ k+0(FP), CX
	MOVQ a_base+8(FP), AX
	MOVQ b0_base+32(FP), BX
	MOVQ b1_base+56(FP), R10
	MOVQ b2_base+80(FP), R11
	MOVQ ldb+104(FP), R12
	SHLQ $2, R12
	MOVQ c_base+112(FP), DX
	MOVQ ldc+136(FP), R8
	SHLQ $2, R8
	ZERO24
	TESTQ CX, CX
	JLE   store
loop:
	VMOVUPS (BX), Z24
	VMOVUPS (R10), Z25
	VMOVUPS (R11), Z26
	PREFETCHT0 256(AX)
	FMA848
	ADDQ $32, AX
	ADDQ R12, BX
	ADDQ R12, R10
	ADDQ R12, R11
	DECQ CX
	JNZ  loop
store:
	MOVL beta+144(FP), R9
	ANDL $0x7fffffff, R9
	JNZ  beta
	STORE848
	VZEROUPPER
	RET
beta:
	VBROADCASTSS beta+144(FP), Z26
	BETA848
	VZEROUPPER
	RET
