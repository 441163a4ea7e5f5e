// gen.js [N]: prints "BITS STRING" lines, BITS a double's IEEE-754 bits in
// hex and STRING JavaScript's String() of it: every power of two, N random
// bit patterns, N random cents amounts and N random small decimals, so
// fmt_double_check can compare sfn_fmt_double against the engine itself.
'use strict';
const n = Number(process.argv[2] || 20000);
const buf = new DataView(new ArrayBuffer(8));
let seed = 0x2545f491n;
function rnd64() {
	seed ^= (seed << 13n) & 0xffffffffffffffffn;
	seed ^= seed >> 7n;
	seed ^= (seed << 17n) & 0xffffffffffffffffn;
	return seed;
}
const out = [];
function emit(x) {
	buf.setFloat64(0, x);
	const hex = buf.getBigUint64(0).toString(16).padStart(16, '0');
	out.push(hex + ' ' + String(x));
}
for (let e = -1074; e <= 1023; e++) {
	emit(Math.pow(2, e));
	emit(-Math.pow(2, e) * 3);
}
for (let i = 0; i < n; i++) {
	buf.setBigUint64(0, rnd64());
	const x = buf.getFloat64(0);
	if (Number.isFinite(x)) emit(x);
	emit(Number(rnd64() % 100000000n) / 100);
	emit(Number(rnd64() % 1000n) / Math.pow(10, Number(rnd64() % 25n)));
	emit(Number(rnd64() >> 11n) * Math.pow(2, Number(rnd64() % 200n) - 100));
}
emit(0.1 + 0.2);
emit(5e-324);
emit(Number.MAX_VALUE);
emit(2.2250738585072014e-308);
emit(123e-20);
emit(1e21);
emit(999999999999999900000);
process.stdout.write(out.join('\n') + '\n');
