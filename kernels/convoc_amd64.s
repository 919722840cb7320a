//go:build !purego

#include "textflag.h"
#include "oc_amd64.h"

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
	OCOFFS6
	MOVQ taps+16(FP), SI
	MOVQ ntaps+24(FP), BX
	MOVQ xcs+40(FP), DX
	SHLQ $2, DX
	OCACC
	TESTQ BX, BX
	JLE   store

tap:
	OCTAP(next)

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
	OCSTORE
