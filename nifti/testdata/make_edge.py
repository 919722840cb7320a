#!/usr/bin/python3
"""Edge-case NIfTI/Analyze files and their nibabel oracle, for nifti's
TestOracleEdge: cases the shared development set lacks (every datatype in
both byte orders, NIfTI-2 pairs, Analyze with SPM scaling and .mat
files, invalid codes, odd pixdim, vox_offset 0, FreeSurfer shapes, damaged
headers). Files are made with nibabel and patched byte by byte; the oracle
is shared/data/make_oracle.py's, without its bulky raw "header" field.

Run from the repository root with the system python (Debian
python3-nibabel, python3-numpy, python3-scipy):
    /usr/bin/python3 nifti/testdata/make_edge.py ../shared/data/make_oracle.py
"""
import gzip
import json
import os
import shutil
import struct
import subprocess
import sys
import warnings

import nibabel as nib
import numpy as np

warnings.simplefilter('ignore')
D = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'edge')
shutil.rmtree(D, ignore_errors=True)
os.makedirs(D)
rng=np.random.default_rng(1)
aff=np.array([[-1.5,0.1,0,20],[0.05,2,0.3,-10],[0,-0.2,3,5],[0,0,0,1]])
def save(img, name):
    nib.save(img, os.path.join(D,name))
# many dtypes, BE, NIfTI-2
FEW = ('u1', 'i2', 'f4', 'c8')
for dt in ['u1','i1','i2','u2','i4','u4','i8','u8','f4','f8','c8','c16']:
    a=(rng.standard_normal((4,5,3))*50).astype(dt) if dt[0] not in 'uc' else (np.abs(rng.standard_normal((4,5,3)))*50).astype(dt)
    if dt[0]=='c': a=(rng.standard_normal((4,5,3))+1j*rng.standard_normal((4,5,3))).astype(dt)
    for cls,ext in [(nib.Nifti1Image,'.nii'),(nib.Nifti2Image,'.nii.gz'),(nib.Nifti1Pair,'.hdr'),(nib.Nifti2Pair,'.hdr.gz')]:
        if ext != '.nii' and dt not in FEW:
            continue
        img=cls(a,aff,dtype=a.dtype)
        if dt in ('i2','u1','i1'):
            img.header.set_slope_inter(0.37, -12.5)
        save(img, f'{dt}_{cls.__name__}{ext}')
        # big endian variant
        h=img.header.copy().as_byteswapped('>') if hasattr(img.header,'as_byteswapped') else None
        if h is not None and ext=='.nii':
            img2=cls(a.astype(a.dtype.newbyteorder('>')),aff,h,dtype=a.dtype.newbyteorder('>'))
            save(img2, f'{dt}_{cls.__name__}_be{ext}')
# RGBA / RGB
rgb=np.zeros((3,4,2),dtype=[('R','u1'),('G','u1'),('B','u1'),('A','u1')])
for c in 'RGBA': rgb[c]=rng.integers(0,255,(3,4,2))
save(nib.Nifti1Image(rgb,aff),'rgba.nii.gz')
# Analyze with scale & origin
a=(rng.standard_normal((6,7,5))*100).astype('i2')
img=nib.Spm2AnalyzeImage(a,np.diag([-2,2,2,1]))
img.header['scl_slope']=0.25
img.header['origin']=[3,4,2,0,0]
save(img,'spm.img')
img=nib.Spm2AnalyzeImage(a.astype('>i2'),np.diag([-2,2,2,1]),img.header.as_byteswapped('>'))
img.header['scl_slope']=0
img.header['cal_max']=10; img.header['cal_min']=-10; img.header['glmax']=200; img.header['glmin']=-200
save(img,'spm_cal_be.hdr')
# slope NaN / inter NaN
a=rng.integers(0,100,(5,5,5)).astype('i2')
img=nib.Nifti1Image(a,aff); save(img,'slope_nan.nii')
b=bytearray(open(D+'/slope_nan.nii','rb').read()); b[112:116]=struct.pack('<f',np.nan); open(D+'/slope_nan.nii','wb').write(b)
b[112:116]=struct.pack('<f',2.0); b[116:120]=struct.pack('<f',np.inf); open(D+'/inter_inf.nii','wb').write(b)
# qform only qfac -1, sform code 7, neither, negative pixdim, zero pixdim
img=nib.Nifti1Image(a,aff); save(img,'qonly.nii')
b=bytearray(open(D+'/qonly.nii','rb').read()); b[252:254]=struct.pack('<h',1); b[254:256]=struct.pack('<h',0); b[76:80]=struct.pack('<f',-1.0); open(D+'/qonly.nii','wb').write(b)
b=bytearray(open(D+'/qonly.nii','rb').read()); b[254:256]=struct.pack('<h',7); b[252:254]=struct.pack('<h',9); open(D+'/badcodes.nii','wb').write(b)
b=bytearray(open(D+'/qonly.nii','rb').read()); b[80:84]=struct.pack('<f',-2.0); b[84:88]=struct.pack('<f',0.0); b[76:80]=struct.pack('<f',0.5); open(D+'/pixdim_weird.nii','wb').write(b)
b=bytearray(open(D+'/qonly.nii','rb').read()); b[256:268]=struct.pack('<fff',0.9,0.5,0.3); open(D+'/quat_bad_used.nii','wb').write(b)
b=bytearray(open(D+'/qonly.nii','rb').read()); b[0:4]=b'\0\0\0\0'; open(D+'/sizeof0.nii','wb').write(b)
b=bytearray(open(D+'/qonly.nii','rb').read()); b[108:112]=struct.pack('<f',0.0); open(D+'/voxoff0.nii','wb').write(b)
b=bytearray(open(D+'/qonly.nii','rb').read()); b[108:112]=struct.pack('<f',348.0); open(D+'/voxoff348.nii','wb').write(b)
b=bytearray(open(D+'/qonly.nii','rb').read()); b[40:42]=struct.pack('<h',0); open(D+'/dim0.nii','wb').write(b)
b=bytearray(open(D+'/qonly.nii','rb').read()); b[40:48]=struct.pack('<hhhh',3,-1,1,1); b[144:148]=struct.pack('<i',125); open(D+'/fs_hack.nii','wb').write(b)
b=bytearray(open(D+'/qonly.nii','rb').read()); b[40:48]=struct.pack('<hhhh',3,-1,1,1); open(D+'/fs_hack_bad.nii','wb').write(b)
b=bytearray(open(D+'/qonly.nii','rb').read()); b[42:44]=struct.pack('<h',-5); open(D+'/negdim.nii','wb').write(b)
b=bytearray(open(D+'/qonly.nii','rb').read()); b[70:72]=struct.pack('<h',1536); b[72:74]=struct.pack('<h',128); open(D+'/f128_trunc.nii','wb').write(b)
open(D+'/html.nii','wb').write(b'<html>'+b'x'*500)
open(D+'/trunc.nii.gz','wb').write(gzip.compress(bytes(b), mtime=0)[:200])
# gzip streams cut short: inside the first 560 bytes (nibabel cannot sniff
# the format), and inside the data
raw = open(D+'/nan.nii', 'rb').read() if os.path.exists(D+'/nan.nii') else None
# 5D with ext
img=nib.Nifti1Image(rng.standard_normal((2,3,4,1,2)).astype('f4'),aff)
img.header.extensions.append(nib.nifti1.Nifti1Extension(6,b'hello world'))
img.header.extensions.append(nib.nifti1.Nifti1Extension(4,b'x'*40))
save(img,'5d_ext.nii.gz')
# NaN data
a=rng.standard_normal((4,4,4)).astype('f4'); a[0,0,0]=np.nan; a[1,2,3]=np.inf
save(nib.Nifti1Image(a,aff),'nan.nii')
import zlib
big = nib.Nifti1Image(rng.standard_normal((20, 20, 20)).astype('f4'), aff)
save(big, 'big.nii')
comp = gzip.compress(open(D+'/big.nii', 'rb').read(), mtime=0)
for cut in range(20, len(comp)):
    if 400 <= len(zlib.decompressobj(31).decompress(comp[:cut])) < 560:
        break
open(D+'/cut_in_header.nii.gz', 'wb').write(comp[:cut])
open(D+'/cut_in_data.nii.gz', 'wb').write(comp[:len(comp) // 2])
os.remove(D+'/big.nii')
out = os.path.join(D, 'nifti-oracle.json')
subprocess.run(['/usr/bin/python3', sys.argv[1], D, out], check=True)
doc = json.load(open(out))
for e in doc['files']:
    e.pop('header', None)
with open(out, 'w') as f:
    json.dump(doc, f, indent=0, allow_nan=False)
    f.write('\n')
print(len(os.listdir(D)), 'files')
