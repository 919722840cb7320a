//go:build !purego

#include "textflag.h"
#include "transpose16_amd64.h"

// func convBcast16AVX512(k int, x []float32, off []int32, w []float32, y []float32, ldy, rows int)
// y[j*ldy+i] = Σ_{p<k} x[off[p]+i]·w[p*16+j] for i < 16, j < rows (1 to
// 16): 16 consecutive positions of up to 16 output channels of a
// convolution, read straight from the padded image by broadcasts (tap p's
// im2col row is x from off[p] on) against 16 packed weights per tap, so
// no panel is gathered. The 16×16 tile (positions × channels) is
// transposed in registers, so that each channel's 16 positions are stored
// as one vector.
TEXT ·convBcast16AVX512(SB), NOSPLIT, $0-120
	MOVQ k+0(FP), CX
	MOVQ x_base+8(FP), BX
	MOVQ off_base+32(FP), SI
	MOVQ w_base+56(FP), DI
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
	TESTQ CX, CX
	JLE   btrans

bloop:
	MOVLQSX (SI), R9
	LEAQ    (BX)(R9*4), R9
	VMOVUPS (DI), Z16
	VFMADD231PS.BCST 0(R9), Z16, Z0
	VFMADD231PS.BCST 4(R9), Z16, Z1
	VFMADD231PS.BCST 8(R9), Z16, Z2
	VFMADD231PS.BCST 12(R9), Z16, Z3
	VFMADD231PS.BCST 16(R9), Z16, Z4
	VFMADD231PS.BCST 20(R9), Z16, Z5
	VFMADD231PS.BCST 24(R9), Z16, Z6
	VFMADD231PS.BCST 28(R9), Z16, Z7
	VFMADD231PS.BCST 32(R9), Z16, Z8
	VFMADD231PS.BCST 36(R9), Z16, Z9
	VFMADD231PS.BCST 40(R9), Z16, Z10
	VFMADD231PS.BCST 44(R9), Z16, Z11
	VFMADD231PS.BCST 48(R9), Z16, Z12
	VFMADD231PS.BCST 52(R9), Z16, Z13
	VFMADD231PS.BCST 56(R9), Z16, Z14
	VFMADD231PS.BCST 60(R9), Z16, Z15
	ADDQ $4, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  bloop

btrans:
	TRANSPOSE16
	MOVQ y_base+80(FP), DX
	MOVQ ldy+104(FP), R10
	SHLQ $2, R10
	MOVQ rows+112(FP), R8
	VMOVUPS Z0, (DX)
	DECQ R8
	JZ   bdone
	ADDQ R10, DX
	VMOVUPS Z1, (DX)
	DECQ R8
	JZ   bdone
	ADDQ R10, DX
	VMOVUPS Z2, (DX)
	DECQ R8
	JZ   bdone
	ADDQ R10, DX
	VMOVUPS Z3, (DX)
	DECQ R8
	JZ   bdone
	ADDQ R10, DX
	VMOVUPS Z4, (DX)
	DECQ R8
	JZ   bdone
	ADDQ R10, DX
	VMOVUPS Z5, (DX)
	DECQ R8
	JZ   bdone
	ADDQ R10, DX
	VMOVUPS Z6, (DX)
	DECQ R8
	JZ   bdone
	ADDQ R10, DX
	VMOVUPS Z7, (DX)
	DECQ R8
	JZ   bdone
	ADDQ R10, DX
	VMOVUPS Z8, (DX)
	DECQ R8
	JZ   bdone
	ADDQ R10, DX
	VMOVUPS Z9, (DX)
	DECQ R8
	JZ   bdone
	ADDQ R10, DX
	VMOVUPS Z10, (DX)
	DECQ R8
	JZ   bdone
	ADDQ R10, DX
	VMOVUPS Z11, (DX)
	DECQ R8
	JZ   bdone
	ADDQ R10, DX
	VMOVUPS Z12, (DX)
	DECQ R8
	JZ   bdone
	ADDQ R10, DX
	VMOVUPS Z13, (DX)
	DECQ R8
	JZ   bdone
	ADDQ R10, DX
	VMOVUPS Z14, (DX)
	DECQ R8
	JZ   bdone
	ADDQ R10, DX
	VMOVUPS Z15, (DX)
	DECQ R8
	JZ   bdone
	ADDQ R10, DX

bdone:
	VZEROUPPER
	RET
