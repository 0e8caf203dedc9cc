// ES module entry of `yunhuni/testing`: the same objects as testing.js.
import cjs from './testing.js';

export const { Sandbox } = cjs;
export default cjs;
