// ES module entry: the same objects as the CommonJS entry (index.js).
import cjs from './index.js';

export const { Client, YunhuniError, PlayType, parseEvent, sign, stringToSign, lookupCode, version, ivr, parseIvrNext, webhook } = cjs;
export default cjs;
