// Writes schemas/sale_line.v1.json from the TypeScript source of the contract.
import { writeFileSync } from 'node:fs'
import { portableSchema } from '../src/domain/sale-line-validator.ts'

writeFileSync(
  new URL('../schemas/sale_line.v1.json', import.meta.url),
  `${JSON.stringify(portableSchema(), null, 2)}\n`,
)
