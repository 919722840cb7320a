//go:build !purego

#include "textflag.h"
#include "gemm848_amd64.h"
#include "oc_amd64.h"

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
	OCOFFS6
	MOVQ runs+16(FP), SI
	MOVQ nruns+24(FP), BX
	MOVQ step+32(FP), DX
	ZERO24
	TESTQ BX, BX
	JLE   store

run:
	OCRUN(next)

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
	OCSTORE

// func convOCDW4x3x32AVX512(x *float32, coff *[4]int32, runs *int32, nruns, step int, dyT *float32, ldo int, t *[384]float32, acc int)
// The weight gradient of the three taps along a kernel row (kw = 0, 1,
// 2, the input values at +0, +1 and +2) for 4 input channels × 32 output
// channels (convOCDW4x3x32Go): sums (i, kw) in Z(6i+2kw) and Z(6i+2kw+1),
// each step one output position, whose 32 output gradients multiply the
// 12 input values. With acc set the sums start from t.
TEXT ·convOCDW4x3x32AVX512(SB), NOSPLIT, $0-72
	MOVQ x+0(FP), AX
	MOVQ coff+8(FP), R13
	OCOFFS4
	MOVQ runs+16(FP), SI
	MOVQ nruns+24(FP), BX
	MOVQ step+32(FP), DX
	OCACC
	TESTQ BX, BX
	JLE   store

run:
	OCRUN(next)

pos:
	VMOVUPS 0(DI), Z24
	VMOVUPS 64(DI), Z25
	VBROADCASTSS 0(R13)(R8*1), Z26
	VFMADD231PS Z24, Z26, Z0
	VFMADD231PS Z25, Z26, Z1
	VBROADCASTSS 4(R13)(R8*1), Z27
	VFMADD231PS Z24, Z27, Z2
	VFMADD231PS Z25, Z27, Z3
	VBROADCASTSS 8(R13)(R8*1), Z28
	VFMADD231PS Z24, Z28, Z4
	VFMADD231PS Z25, Z28, Z5
	VBROADCASTSS 0(R13)(R9*1), Z29
	VFMADD231PS Z24, Z29, Z6
	VFMADD231PS Z25, Z29, Z7
	VBROADCASTSS 4(R13)(R9*1), Z30
	VFMADD231PS Z24, Z30, Z8
	VFMADD231PS Z25, Z30, Z9
	VBROADCASTSS 8(R13)(R9*1), Z31
	VFMADD231PS Z24, Z31, Z10
	VFMADD231PS Z25, Z31, Z11
	VBROADCASTSS 0(R13)(R10*1), Z26
	VFMADD231PS Z24, Z26, Z12
	VFMADD231PS Z25, Z26, Z13
	VBROADCASTSS 4(R13)(R10*1), Z27
	VFMADD231PS Z24, Z27, Z14
	VFMADD231PS Z25, Z27, Z15
	VBROADCASTSS 8(R13)(R10*1), Z28
	VFMADD231PS Z24, Z28, Z16
	VFMADD231PS Z25, Z28, Z17
	VBROADCASTSS 0(R13)(R11*1), Z29
	VFMADD231PS Z24, Z29, Z18
	VFMADD231PS Z25, Z29, Z19
	VBROADCASTSS 4(R13)(R11*1), Z30
	VFMADD231PS Z24, Z30, Z20
	VFMADD231PS Z25, Z30, Z21
	VBROADCASTSS 8(R13)(R11*1), Z31
	VFMADD231PS Z24, Z31, Z22
	VFMADD231PS Z25, Z31, Z23
	ADDQ DX, R13
	ADDQ ldo+48(FP), DI
	DECQ CX
	JNZ  pos

next:
	ADDQ $12, SI
	DECQ BX
	JNZ  run

store:
	OCSTORE
