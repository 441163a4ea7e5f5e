// numbers.js DIR: writes DIR/nums.asl.json, a Pass state whose Result is an
// array of 20,000 number literals of many shapes (short decimals, 1 to 17
// significant digits, exponents, integers past 2^53), and DIR/expected, the
// text JSON.stringify gives for them after JSON.parse. `sfn run` must print
// exactly that: the loader's number parsing and sfn_fmt_double end to end.
'use strict';
const fs = require('fs');
const dir = process.argv[2];
const out = [];
let s = 12345;
function r() {
	s = (s * 1103515245 + 12345) % 2147483648;
	return s;
}
for (let i = 0; i < 20000; i++) {
	const k = r() % 6;
	let t;
	if (k === 0) t = String((r() % 100000) / Math.pow(10, r() % 8));
	else if (k === 1) t = (r() / (r() + 1)).toPrecision(1 + (r() % 17));
	else if (k === 2)
		t = (r() % 1000) + '.' + String(r()).padStart(12, '0') + 'e' +
			((r() % 50) - 25);
	else if (k === 3)
		t = '-' + (r() % 9007199) + '.' + (r() % 1000) + 'E+' + (r() % 23);
	else if (k === 4) t = String(r()) + String(r()).slice(0, 6) + '.5';
	else t = '0.' + String(r() % 100000).padStart(5, '0') + 'e-' + (r() % 30);
	out.push(t);
}
const def = { StartAt: 'P', States: { P: { Type: 'Pass', Result: 'XX', End: true } } };
fs.writeFileSync(dir + '/nums.asl.json',
	JSON.stringify(def).replace('"XX"', '[' + out.join(',') + ']'));
fs.writeFileSync(dir + '/expected', JSON.stringify(out.map(Number)) + '\n');
