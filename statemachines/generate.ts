/** `npm run statemachines`: writes statemachines/*.asl.json from statemachines/definitions.ts. */
import { writeFileSync } from 'node:fs';
import { DEFINITIONS, definitionText, type MachineName } from './definitions';

for (const name of Object.keys(DEFINITIONS) as MachineName[]) {
  const file = new URL(`./${name}.asl.json`, import.meta.url);
  writeFileSync(file, definitionText(name));
  console.log(`wrote statemachines/${name}.asl.json`);
}
