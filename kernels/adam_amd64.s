//go:build !purego

#include "textflag.h"

// One Adam step, fused: param, grad, m and v are each read once and
// param, m, v written once. The arithmetic is adamRange's, operation for
// operation in float32 (no FMA, true square root and divisions), so the
// result is the generic kernel's up to the compiler's own contractions.
// c points at an adamCoefs[float32]: b1, nb1, b2, nb2, step, bc2, eps,
// decay, shrink at offsets 0, 4, …, 32.

// func adamAVX512(c *adamCoefs32, param, grad, m, v []float32)
TEXT ·adamAVX512(SB), NOSPLIT, $0-104
	MOVQ c+0(FP), AX
	MOVQ param_base+8(FP), DI
	MOVQ param_len+16(FP), CX
	MOVQ grad_base+32(FP), SI
	MOVQ m_base+56(FP), DX
	MOVQ v_base+80(FP), BX
	VBROADCASTSS 0(AX), Z20
	VBROADCASTSS 4(AX), Z21
	VBROADCASTSS 8(AX), Z22
	VBROADCASTSS 12(AX), Z23
	VBROADCASTSS 16(AX), Z24
	VBROADCASTSS 20(AX), Z25
	VBROADCASTSS 24(AX), Z26
	VBROADCASTSS 28(AX), Z27
	VBROADCASTSS 32(AX), Z28
	MOVL  $0xffff, R10
	KMOVW R10, K1

aloop:
	TESTQ CX, CX
	JLE   adone
	CMPQ  CX, $16
	JGE   abody
	MOVL  $1, R10
	SHLL  CX, R10
	DECL  R10
	KMOVW R10, K1

abody:
	VMOVUPS.Z (DI), K1, Z0
	VMOVUPS.Z (SI), K1, Z1
	VMOVUPS.Z (DX), K1, Z3
	VMOVUPS.Z (BX), K1, Z4
	// g = grad + decay·w; w ·= shrink
	VMULPS Z0, Z27, Z2
	VADDPS Z2, Z1, Z1
	VMULPS Z28, Z0, Z0
	// m = b1·m + nb1·g
	VMULPS Z20, Z3, Z3
	VMULPS Z21, Z1, Z2
	VADDPS Z2, Z3, Z3
	VMOVUPS Z3, K1, (DX)
	// v = b2·v + nb2·g·g
	VMULPS Z22, Z4, Z4
	VMULPS Z23, Z1, Z2
	VMULPS Z1, Z2, Z2
	VADDPS Z2, Z4, Z4
	VMOVUPS Z4, K1, (BX)
	// param = w − step·m / (√v / bc2 + eps)
	VSQRTPS Z4, Z2
	VDIVPS Z25, Z2, Z2
	VADDPS Z26, Z2, Z2
	VMULPS Z24, Z3, Z3
	VDIVPS Z2, Z3, Z3
	VSUBPS Z3, Z0, Z0
	VMOVUPS Z0, K1, (DI)
	ADDQ $64, DI
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, BX
	SUBQ $16, CX
	JMP  aloop

adone:
	VZEROUPPER
	RET

// func adamAVX2(c *adamCoefs32, param, grad, m, v []float32)
TEXT ·adamAVX2(SB), NOSPLIT, $0-104
	MOVQ c+0(FP), AX
	MOVQ param_base+8(FP), DI
	MOVQ param_len+16(FP), CX
	MOVQ grad_base+32(FP), SI
	MOVQ m_base+56(FP), DX
	MOVQ v_base+80(FP), BX
	VBROADCASTSS 0(AX), Y5
	VBROADCASTSS 4(AX), Y6
	VBROADCASTSS 8(AX), Y7
	VBROADCASTSS 12(AX), Y8
	VBROADCASTSS 16(AX), Y9
	VBROADCASTSS 20(AX), Y10
	VBROADCASTSS 24(AX), Y11
	VBROADCASTSS 28(AX), Y12
	VBROADCASTSS 32(AX), Y13
	VPCMPEQD Y15, Y15, Y15

bloop:
	TESTQ CX, CX
	JLE   bdone
	CMPQ  CX, $8
	JGE   bbody
	MOVQ  $8, R10
	SUBQ  CX, R10
	LEAQ  ·memTail8(SB), R11
	VMOVDQU (R11)(R10*4), Y15

bbody:
	VMASKMOVPS (DI), Y15, Y0
	VMASKMOVPS (SI), Y15, Y1
	VMASKMOVPS (DX), Y15, Y3
	VMASKMOVPS (BX), Y15, Y4
	VMULPS Y0, Y12, Y2
	VADDPS Y2, Y1, Y1
	VMULPS Y13, Y0, Y0
	VMULPS Y5, Y3, Y3
	VMULPS Y6, Y1, Y2
	VADDPS Y2, Y3, Y3
	VMASKMOVPS Y3, Y15, (DX)
	VMULPS Y7, Y4, Y4
	VMULPS Y8, Y1, Y2
	VMULPS Y1, Y2, Y2
	VADDPS Y2, Y4, Y4
	VMASKMOVPS Y4, Y15, (BX)
	VSQRTPS Y4, Y2
	VDIVPS Y10, Y2, Y2
	VADDPS Y11, Y2, Y2
	VMULPS Y9, Y3, Y3
	VDIVPS Y2, Y3, Y3
	VSUBPS Y3, Y0, Y0
	VMASKMOVPS Y0, Y15, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, BX
	SUBQ $8, CX
	JMP  bloop

bdone:
	VZEROUPPER
	RET
