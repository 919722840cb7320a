//go:build !purego

#include "textflag.h"
#include "oc_amd64.h"

// The kernels of convoc_amd64.go with 32 or 16 output channels a block
// (convOC6x64AVX512 has 64): 12 or 24 positions whose inputs lie S
// values apart, S the constant of each kernel (1 or 2), so that each
// position's input is a displacement from one pointer. Their arguments
// are convOC6x64AVX512's, with the first position's offset for pos and
// wcs in bytes.
//
// func convOC12x32S1AVX512(x *float32, pos int, taps *int32, ntaps, cin, xcs int, w *float32, t *[384]float32, acc, wcs int)
// (and S2, and convOC24x16S1/S2 alike)

// OCSTEP12 adds one step of 12 positions S bytes apart: position j's
// 32 channels in Z(2j), Z(2j+1), its input value broadcast.
#define OCSTEP12(S) \
	VMOVUPS 0(DI), Z24; \
	VMOVUPS 64(DI), Z25; \
	VBROADCASTSS (0*S)(R13), Z26; \
	VFMADD231PS Z24, Z26, Z0; \
	VFMADD231PS Z25, Z26, Z1; \
	VBROADCASTSS (1*S)(R13), Z27; \
	VFMADD231PS Z24, Z27, Z2; \
	VFMADD231PS Z25, Z27, Z3; \
	VBROADCASTSS (2*S)(R13), Z28; \
	VFMADD231PS Z24, Z28, Z4; \
	VFMADD231PS Z25, Z28, Z5; \
	VBROADCASTSS (3*S)(R13), Z29; \
	VFMADD231PS Z24, Z29, Z6; \
	VFMADD231PS Z25, Z29, Z7; \
	VBROADCASTSS (4*S)(R13), Z30; \
	VFMADD231PS Z24, Z30, Z8; \
	VFMADD231PS Z25, Z30, Z9; \
	VBROADCASTSS (5*S)(R13), Z31; \
	VFMADD231PS Z24, Z31, Z10; \
	VFMADD231PS Z25, Z31, Z11; \
	VBROADCASTSS (6*S)(R13), Z26; \
	VFMADD231PS Z24, Z26, Z12; \
	VFMADD231PS Z25, Z26, Z13; \
	VBROADCASTSS (7*S)(R13), Z27; \
	VFMADD231PS Z24, Z27, Z14; \
	VFMADD231PS Z25, Z27, Z15; \
	VBROADCASTSS (8*S)(R13), Z28; \
	VFMADD231PS Z24, Z28, Z16; \
	VFMADD231PS Z25, Z28, Z17; \
	VBROADCASTSS (9*S)(R13), Z29; \
	VFMADD231PS Z24, Z29, Z18; \
	VFMADD231PS Z25, Z29, Z19; \
	VBROADCASTSS (10*S)(R13), Z30; \
	VFMADD231PS Z24, Z30, Z20; \
	VFMADD231PS Z25, Z30, Z21; \
	VBROADCASTSS (11*S)(R13), Z31; \
	VFMADD231PS Z24, Z31, Z22; \
	VFMADD231PS Z25, Z31, Z23

// OCSTEP24 adds one step of 24 positions S bytes apart, 16 channels each
// in Zj, the input values broadcast by the FMAs themselves (each feeds
// one).
#define OCSTEP24(S) \
	VMOVUPS 0(DI), Z24; \
	VFMADD231PS.BCST (0*S)(R13), Z24, Z0; \
	VFMADD231PS.BCST (1*S)(R13), Z24, Z1; \
	VFMADD231PS.BCST (2*S)(R13), Z24, Z2; \
	VFMADD231PS.BCST (3*S)(R13), Z24, Z3; \
	VFMADD231PS.BCST (4*S)(R13), Z24, Z4; \
	VFMADD231PS.BCST (5*S)(R13), Z24, Z5; \
	VFMADD231PS.BCST (6*S)(R13), Z24, Z6; \
	VFMADD231PS.BCST (7*S)(R13), Z24, Z7; \
	VFMADD231PS.BCST (8*S)(R13), Z24, Z8; \
	VFMADD231PS.BCST (9*S)(R13), Z24, Z9; \
	VFMADD231PS.BCST (10*S)(R13), Z24, Z10; \
	VFMADD231PS.BCST (11*S)(R13), Z24, Z11; \
	VFMADD231PS.BCST (12*S)(R13), Z24, Z12; \
	VFMADD231PS.BCST (13*S)(R13), Z24, Z13; \
	VFMADD231PS.BCST (14*S)(R13), Z24, Z14; \
	VFMADD231PS.BCST (15*S)(R13), Z24, Z15; \
	VFMADD231PS.BCST (16*S)(R13), Z24, Z16; \
	VFMADD231PS.BCST (17*S)(R13), Z24, Z17; \
	VFMADD231PS.BCST (18*S)(R13), Z24, Z18; \
	VFMADD231PS.BCST (19*S)(R13), Z24, Z19; \
	VFMADD231PS.BCST (20*S)(R13), Z24, Z20; \
	VFMADD231PS.BCST (21*S)(R13), Z24, Z21; \
	VFMADD231PS.BCST (22*S)(R13), Z24, Z22; \
	VFMADD231PS.BCST (23*S)(R13), Z24, Z23

// OCKERNEL is the body of a kernel whose steps are OCSTEP(S).
#define OCKERNEL(OCSTEP, S) \
	MOVQ x+0(FP), AX; \
	MOVQ pos+8(FP), R9; \
	LEAQ (AX)(R9*4), AX; \
	MOVQ taps+16(FP), SI; \
	MOVQ ntaps+24(FP), BX; \
	MOVQ xcs+40(FP), DX; \
	SHLQ $2, DX; \
	MOVQ wcs+72(FP), R8; \
	OCACC; \
	TESTQ BX, BX; \
	JLE   store; \
tap: \
	OCTAP(next); \
step: \
	OCSTEP(S); \
	ADDQ DX, R13; \
	ADDQ R8, DI; \
	DECQ CX; \
	JNZ  step; \
next: \
	ADDQ $8, SI; \
	DECQ BX; \
	JNZ  tap; \
store: \
	OCSTORE

TEXT ·convOC12x32S1AVX512(SB), NOSPLIT, $0-80
	OCKERNEL(OCSTEP12, 4)

TEXT ·convOC12x32S2AVX512(SB), NOSPLIT, $0-80
	OCKERNEL(OCSTEP12, 8)

TEXT ·convOC24x16S1AVX512(SB), NOSPLIT, $0-80
	OCKERNEL(OCSTEP24, 4)

TEXT ·convOC24x16S2AVX512(SB), NOSPLIT, $0-80
	OCKERNEL(OCSTEP24, 8)
