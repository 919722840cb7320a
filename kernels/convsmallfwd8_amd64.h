// The body of convFwd8x48AVX512 and convFwd8x48NTAVX512, which differ in
// how they store the output: the includer defines STORE, the store of a
// vector of 16 outputs, and includes gemm848_amd64.h (ZERO24, FMA848).
//
// y[c·ldy + yo[v] + i] = (Σ_{p<k} w[(c/8·k + p)·8 + c%8] · x[q[v] + off[p] + i]) + b[c]
// for c < cout, v < 3 and i < 16, the bias left out where b is empty:
// convFwd6x64AVX512's sums for blocks of 8 output channels by 3 vectors
// of positions. Per tap, 3 input vectors and 8 broadcast weights feed 24
// FMAs; with 8 rows a block, 16 and 32 channels fill whole blocks, where
// blocks of 6 compute 18 and 36.

// BIAS3 adds the bias at disp(R15), broadcast into Z27, to a channel's
// three vectors.
#define BIAS3(disp, z0, z1, z2) \
	VBROADCASTSS disp(R15), Z27; \
	VADDPS Z27, z0, z0; \
	VADDPS Z27, z1, z1; \
	VADDPS Z27, z2, z2

// ROW3 stores a channel's three vectors at R10–R12; NEXTROW3 moves them
// to the next channel's row first.
#define ROW3(z0, z1, z2) \
	STORE z0, (R10); \
	STORE z1, (R11); \
	STORE z2, (R12)

#define NEXTROW3(z0, z1, z2) \
	ADDQ R8, R10; \
	ADDQ R8, R11; \
	ADDQ R8, R12; \
	ROW3(z0, z1, z2)

	MOVQ x_base+8(FP), BX
	MOVQ w_base+64(FP), AX
	MOVQ y_base+112(FP), DX
	MOVQ ldy+136(FP), R8
	SHLQ $2, R8
	MOVQ cout+152(FP), R14
	MOVQ b_base+88(FP), R15
	MOVQ b_len+96(FP), DI
	TESTQ R14, R14
	JLE  f8done

f8block:
	MOVQ q+32(FP), R9
	MOVLQSX (R9), R10
	LEAQ (BX)(R10*4), R10
	MOVLQSX 4(R9), R11
	LEAQ (BX)(R11*4), R11
	MOVLQSX 8(R9), R12
	LEAQ (BX)(R12*4), R12
	MOVQ off_base+40(FP), SI
	MOVQ k+0(FP), CX
	ZERO24
	TESTQ CX, CX
	JLE  f8bias

f8loop:
	MOVLQSX (SI), R9
	VMOVUPS (R10)(R9*4), Z24
	VMOVUPS (R11)(R9*4), Z25
	VMOVUPS (R12)(R9*4), Z26
	FMA848
	ADDQ $4, SI
	ADDQ $32, AX
	DECQ CX
	JNZ  f8loop

f8bias:
	// The bias is added to the sums, as a separate pass would.
	TESTQ DI, DI
	JEQ  f8store
	BIAS3(0, Z0, Z1, Z2)
	BIAS3(4, Z3, Z4, Z5)
	BIAS3(8, Z6, Z7, Z8)
	BIAS3(12, Z9, Z10, Z11)
	BIAS3(16, Z12, Z13, Z14)
	BIAS3(20, Z15, Z16, Z17)
	BIAS3(24, Z18, Z19, Z20)
	BIAS3(28, Z21, Z22, Z23)

f8store:
	// The block's rows: min(8, the channels left), from DX on.
	MOVQ yo+144(FP), R9
	MOVLQSX (R9), R10
	LEAQ (DX)(R10*4), R10
	MOVLQSX 4(R9), R11
	LEAQ (DX)(R11*4), R11
	MOVLQSX 8(R9), R12
	LEAQ (DX)(R12*4), R12
	MOVQ R14, CX
	ROW3(Z0, Z1, Z2)
	DECQ CX
	JLE  f8next
	NEXTROW3(Z3, Z4, Z5)
	DECQ CX
	JLE  f8next
	NEXTROW3(Z6, Z7, Z8)
	DECQ CX
	JLE  f8next
	NEXTROW3(Z9, Z10, Z11)
	DECQ CX
	JLE  f8next
	NEXTROW3(Z12, Z13, Z14)
	DECQ CX
	JLE  f8next
	NEXTROW3(Z15, Z16, Z17)
	DECQ CX
	JLE  f8next
	NEXTROW3(Z18, Z19, Z20)
	DECQ CX
	JLE  f8next
	NEXTROW3(Z21, Z22, Z23)

f8next:
	// The next block: 8 channels on in y and b; w is there already.
	LEAQ (DX)(R8*8), DX
	ADDQ $32, R15
	SUBQ $8, R14
	JG   f8block

f8done:
	VZEROUPPER
	RET
