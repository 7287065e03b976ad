export {
  type Coded,
  type Concept,
  type Nomenclature,
  profession,
  resolve,
  savoirFaire,
  type TableName,
  table,
} from './nomenclature.ts';
