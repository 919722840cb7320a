//go:build !purego

#include "textflag.h"

// OCPOS adds the outer product of the value at (R13)(off*1), broadcast into
// bc, and the 64 weights in Z24–Z27 to the accumulators a0–a3 of one
// position.
#define OCPOS(off, bc, a0, a1, a2, a3) \
	VBROADCASTSS (R13)(off*1), bc; \
	VFMADD231PS Z24, bc, a0; \
	VFMADD231PS Z25, bc, a1; \
	VFMADD231PS Z26, bc, a2; \
	VFMADD231PS Z27, bc, a3

// func convOC6x64AVX512(x *float32, pos *[6]int32, taps *int32, ntaps, cin, xcs int, w *float32, t *[384]float32, acc, wcs int)
// The 6 positions × 64 output channels of convOC6x64Go: position j's
// accumulators are Z(4j)–Z(4j+3), one vector of 16 channels each; each
// step broadcasts the 6 positions' input values of one channel and tap
// and multiplies them by that channel's and tap's 64 weights, so that the
// output channels, not the positions, fill the vectors and any 6
// positions, of any rows and stride, share the steps. With acc set the
// sums start from t. wcs is the weights' channel stride in bytes (all
// registers hold operands, so each step adds it from memory).
TEXT ·convOC6x64AVX512(SB), NOSPLIT, $0-80
	MOVQ x+0(FP), AX
	MOVQ pos+8(FP), R13
	MOVLQSX 0(R13), R8
	MOVLQSX 4(R13), R9
	MOVLQSX 8(R13), R10
	MOVLQSX 12(R13), R11
	MOVLQSX 16(R13), R12
	MOVLQSX 20(R13), R14
	SHLQ $2, R8
	SHLQ $2, R9
	SHLQ $2, R10
	SHLQ $2, R11
	SHLQ $2, R12
	SHLQ $2, R14
	MOVQ taps+16(FP), SI
	MOVQ ntaps+24(FP), BX
	MOVQ xcs+40(FP), DX
	SHLQ $2, DX
	MOVQ acc+64(FP), DI
	TESTQ DI, DI
	JNZ  load
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	VPXORD Z18, Z18, Z18
	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23
	JMP  start

load:
	MOVQ t+56(FP), DI
	VMOVUPS 0(DI), Z0
	VMOVUPS 64(DI), Z1
	VMOVUPS 128(DI), Z2
	VMOVUPS 192(DI), Z3
	VMOVUPS 256(DI), Z4
	VMOVUPS 320(DI), Z5
	VMOVUPS 384(DI), Z6
	VMOVUPS 448(DI), Z7
	VMOVUPS 512(DI), Z8
	VMOVUPS 576(DI), Z9
	VMOVUPS 640(DI), Z10
	VMOVUPS 704(DI), Z11
	VMOVUPS 768(DI), Z12
	VMOVUPS 832(DI), Z13
	VMOVUPS 896(DI), Z14
	VMOVUPS 960(DI), Z15
	VMOVUPS 1024(DI), Z16
	VMOVUPS 1088(DI), Z17
	VMOVUPS 1152(DI), Z18
	VMOVUPS 1216(DI), Z19
	VMOVUPS 1280(DI), Z20
	VMOVUPS 1344(DI), Z21
	VMOVUPS 1408(DI), Z22
	VMOVUPS 1472(DI), Z23

start:
	TESTQ BX, BX
	JLE   store

tap:
	MOVLQSX 0(SI), R13
	LEAQ    (AX)(R13*4), R13
	MOVLQSX 4(SI), DI
	SHLQ    $2, DI
	ADDQ    w+48(FP), DI
	MOVQ    cin+32(FP), CX
	TESTQ   CX, CX
	JLE     next

step:
	VMOVUPS 0(DI), Z24
	VMOVUPS 64(DI), Z25
	VMOVUPS 128(DI), Z26
	VMOVUPS 192(DI), Z27
	OCPOS(R8, Z28, Z0, Z1, Z2, Z3)
	OCPOS(R9, Z29, Z4, Z5, Z6, Z7)
	OCPOS(R10, Z30, Z8, Z9, Z10, Z11)
	OCPOS(R11, Z31, Z12, Z13, Z14, Z15)
	OCPOS(R12, Z28, Z16, Z17, Z18, Z19)
	OCPOS(R14, Z29, Z20, Z21, Z22, Z23)
	ADDQ DX, R13
	ADDQ wcs+72(FP), DI
	DECQ CX
	JNZ  step

next:
	ADDQ $8, SI
	DECQ BX
	JNZ  tap

store:
	MOVQ t+56(FP), DI
	VMOVUPS Z0, 0(DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	VMOVUPS Z4, 256(DI)
	VMOVUPS Z5, 320(DI)
	VMOVUPS Z6, 384(DI)
	VMOVUPS Z7, 448(DI)
	VMOVUPS Z8, 512(DI)
	VMOVUPS Z9, 576(DI)
	VMOVUPS Z10, 640(DI)
	VMOVUPS Z11, 704(DI)
	VMOVUPS Z12, 768(DI)
	VMOVUPS Z13, 832(DI)
	VMOVUPS Z14, 896(DI)
	VMOVUPS Z15, 960(DI)
	VMOVUPS Z16, 1024(DI)
	VMOVUPS Z17, 1088(DI)
	VMOVUPS Z18, 1152(DI)
	VMOVUPS Z19, 1216(DI)
	VMOVUPS Z20, 1280(DI)
	VMOVUPS Z21, 1344(DI)
	VMOVUPS Z22, 1408(DI)
	VMOVUPS Z23, 1472(DI)
	VZEROUPPER
	RET
