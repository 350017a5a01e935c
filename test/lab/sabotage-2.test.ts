// The second half of the sabotage suite (test/lab/sabotage/suite.ts); the halves run side by side.
import { sabotageSuite } from './sabotage/suite.js';

sabotageSuite(1);
