// The body of convFwd6x64AVX512 and convFwd6x64NTAVX512, which differ in
// how they store the output: the includer defines STORE, the store of a
// vector of 16 outputs, and includes gemm848_amd64.h (ZERO24).
//
// y[c·ldy + yo[v] + i] = (Σ_{p<k} w[(c/6·k + p)·6 + c%6] · x[q[v] + off[p] + i]) + b[c]
// for c < cout, v < 4 and i < 16: 4 vectors of 16 consecutive output
// positions of a convolution with few input channels, each inside one
// output row, read straight from the padded image (tap p's im2col row is
// x from off[p] on) and stored straight into y, 6 output channels at a
// time (w packed in blocks of 6 channels, tap-major; b, the bias, padded
// to whole blocks). Per tap, 4 input vectors and 6 broadcast weights feed
// 24 FMAs, with nothing to transpose (see convsmall_amd64.go).

// BIAS4 adds the bias at disp(R15), broadcast into t, to the row's four
// vectors.
#define BIAS4(disp, t, z0, z1, z2, z3) \
	VBROADCASTSS disp(R15), t; \
	VADDPS t, z0, z0; \
	VADDPS t, z1, z1; \
	VADDPS t, z2, z2; \
	VADDPS t, z3, z3

// ROW4 stores a channel's four vectors at R10–R13; NEXTROW moves them to
// the next channel's row first.
#define ROW4(z0, z1, z2, z3) \
	STORE z0, (R10); \
	STORE z1, (R11); \
	STORE z2, (R12); \
	STORE z3, (R13)

#define NEXTROW(z0, z1, z2, z3) \
	ADDQ R8, R10; \
	ADDQ R8, R11; \
	ADDQ R8, R12; \
	ADDQ R8, R13; \
	ROW4(z0, z1, z2, z3)

	MOVQ x_base+8(FP), BX
	MOVQ w_base+64(FP), DI
	MOVQ y_base+112(FP), DX
	MOVQ ldy+136(FP), R8
	SHLQ $2, R8
	MOVQ cout+152(FP), R14
	MOVQ b_base+88(FP), R15
	TESTQ R14, R14
	JLE  fdone

fblock:
	MOVQ q+32(FP), AX
	MOVLQSX (AX), R10
	LEAQ (BX)(R10*4), R10
	MOVLQSX 4(AX), R11
	LEAQ (BX)(R11*4), R11
	MOVLQSX 8(AX), R12
	LEAQ (BX)(R12*4), R12
	MOVLQSX 12(AX), R13
	LEAQ (BX)(R13*4), R13
	MOVQ off_base+40(FP), SI
	MOVQ k+0(FP), CX
	ZERO24
	TESTQ CX, CX
	JLE  fstore

floop:
	MOVLQSX (SI), R9
	VMOVUPS (R10)(R9*4), Z24
	VMOVUPS (R11)(R9*4), Z25
	VMOVUPS (R12)(R9*4), Z26
	VMOVUPS (R13)(R9*4), Z27
	VBROADCASTSS 0(DI), Z28
	VFMADD231PS Z24, Z28, Z0
	VFMADD231PS Z25, Z28, Z1
	VFMADD231PS Z26, Z28, Z2
	VFMADD231PS Z27, Z28, Z3
	VBROADCASTSS 4(DI), Z29
	VFMADD231PS Z24, Z29, Z4
	VFMADD231PS Z25, Z29, Z5
	VFMADD231PS Z26, Z29, Z6
	VFMADD231PS Z27, Z29, Z7
	VBROADCASTSS 8(DI), Z28
	VFMADD231PS Z24, Z28, Z8
	VFMADD231PS Z25, Z28, Z9
	VFMADD231PS Z26, Z28, Z10
	VFMADD231PS Z27, Z28, Z11
	VBROADCASTSS 12(DI), Z29
	VFMADD231PS Z24, Z29, Z12
	VFMADD231PS Z25, Z29, Z13
	VFMADD231PS Z26, Z29, Z14
	VFMADD231PS Z27, Z29, Z15
	VBROADCASTSS 16(DI), Z28
	VFMADD231PS Z24, Z28, Z16
	VFMADD231PS Z25, Z28, Z17
	VFMADD231PS Z26, Z28, Z18
	VFMADD231PS Z27, Z28, Z19
	VBROADCASTSS 20(DI), Z29
	VFMADD231PS Z24, Z29, Z20
	VFMADD231PS Z25, Z29, Z21
	VFMADD231PS Z26, Z29, Z22
	VFMADD231PS Z27, Z29, Z23
	ADDQ $4, SI
	ADDQ $24, DI
	DECQ CX
	JNZ  floop

fstore:
	// The bias is added to the sums, as a separate pass would.
	BIAS4(0, Z28, Z0, Z1, Z2, Z3)
	BIAS4(4, Z29, Z4, Z5, Z6, Z7)
	BIAS4(8, Z28, Z8, Z9, Z10, Z11)
	BIAS4(12, Z29, Z12, Z13, Z14, Z15)
	BIAS4(16, Z28, Z16, Z17, Z18, Z19)
	BIAS4(20, Z29, Z20, Z21, Z22, Z23)
	// The block's rows: min(6, the channels left), from DX on.
	MOVQ yo+144(FP), AX
	MOVLQSX (AX), R10
	LEAQ (DX)(R10*4), R10
	MOVLQSX 4(AX), R11
	LEAQ (DX)(R11*4), R11
	MOVLQSX 8(AX), R12
	LEAQ (DX)(R12*4), R12
	MOVLQSX 12(AX), R13
	LEAQ (DX)(R13*4), R13
	MOVQ R14, CX
	ROW4(Z0, Z1, Z2, Z3)
	DECQ CX
	JLE  fnext
	NEXTROW(Z4, Z5, Z6, Z7)
	DECQ CX
	JLE  fnext
	NEXTROW(Z8, Z9, Z10, Z11)
	DECQ CX
	JLE  fnext
	NEXTROW(Z12, Z13, Z14, Z15)
	DECQ CX
	JLE  fnext
	NEXTROW(Z16, Z17, Z18, Z19)
	DECQ CX
	JLE  fnext
	NEXTROW(Z20, Z21, Z22, Z23)

fnext:
	// The next block: 6 channels on in y; w is there already.
	LEAQ (R8)(R8*2), AX
	LEAQ (DX)(AX*2), DX
	ADDQ $24, R15
	SUBQ $6, R14
	JG   fblock

fdone:
	VZEROUPPER
	RET
