import { runGroup } from './run-group';

runGroup('b');
