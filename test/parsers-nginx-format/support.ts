export { runParser, type Run } from '../support/run-parser';
