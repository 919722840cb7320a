//go:build !purego

#include "textflag.h"

// DWPOS adds the outer product of the input value of channel i at
// (R13)(off*1), broadcast into bc, and the 64 output gradients in
// Z24–Z27 to channel i's accumulators a0–a3.
#define DWPOS(off, bc, a0, a1, a2, a3) \
	VBROADCASTSS (R13)(off*1), bc; \
	VFMADD231PS Z24, bc, a0; \
	VFMADD231PS Z25, bc, a1; \
	VFMADD231PS Z26, bc, a2; \
	VFMADD231PS Z27, bc, a3

// func convOCDW6x64AVX512(x *float32, coff *[6]int32, runs *int32, nruns, step int, dyT *float32, ldo int, t *[384]float32)
// The weight gradient of one tap for 6 input channels × 64 output
// channels (convOCDW6x64Go): channel i's 64 sums in Z(4i)–Z(4i+3), each
// step one output position, whose 64 output gradients (a row of dyT)
// multiply the 6 channels' input values that the tap reads there. step
// and ldo are in bytes; dyT's base is read from the arguments at each
// run, as every register but one holds an operand.
TEXT ·convOCDW6x64AVX512(SB), NOSPLIT, $0-64
	MOVQ x+0(FP), AX
	MOVQ coff+8(FP), R13
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
	MOVQ runs+16(FP), SI
	MOVQ nruns+24(FP), BX
	MOVQ step+32(FP), DX
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
	TESTQ BX, BX
	JLE   store

run:
	MOVLQSX 0(SI), R13
	LEAQ    (AX)(R13*4), R13
	MOVLQSX 4(SI), DI
	SHLQ    $2, DI
	ADDQ    dyT+40(FP), DI
	MOVLQSX 8(SI), CX
	TESTQ   CX, CX
	JLE     next

pos:
	VMOVUPS 0(DI), Z24
	VMOVUPS 64(DI), Z25
	VMOVUPS 128(DI), Z26
	VMOVUPS 192(DI), Z27
	DWPOS(R8, Z28, Z0, Z1, Z2, Z3)
	DWPOS(R9, Z29, Z4, Z5, Z6, Z7)
	DWPOS(R10, Z30, Z8, Z9, Z10, Z11)
	DWPOS(R11, Z31, Z12, Z13, Z14, Z15)
	DWPOS(R12, Z28, Z16, Z17, Z18, Z19)
	DWPOS(R14, Z29, Z20, Z21, Z22, Z23)
	ADDQ DX, R13
	ADDQ ldo+48(FP), DI
	DECQ CX
	JNZ  pos

next:
	ADDQ $12, SI
	DECQ BX
	JNZ  run

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
