import { socket } from '@sandkit/runtime-socket';
import { sandkitGlobalSetup } from '@sandkit/vitest';
import { spec } from './spec.js';

export default sandkitGlobalSetup({ runtimes: () => [socket()], prepare: [spec] });
