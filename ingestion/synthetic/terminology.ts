/**
 * The codes the generator emits: SNOMED CT and ICD-10-CM conditions, LOINC observations with
 * UCUM units, RxNorm drugs, HL7 encounter classes, US Core race and ethnicity. Codings are built once here and
 * shared by every resource (they are only ever serialized, never mutated).
 */

export const SYSTEM = {
  snomed: 'http://snomed.info/sct',
  icd10cm: 'http://hl7.org/fhir/sid/icd-10-cm',
  loinc: 'http://loinc.org',
  rxnorm: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  ucum: 'http://unitsofmeasure.org',
  actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  conditionVerification: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
  conditionCategory: 'http://terminology.hl7.org/CodeSystem/condition-category',
  identifierType: 'http://terminology.hl7.org/CodeSystem/v2-0203',
  organizationType: 'http://terminology.hl7.org/CodeSystem/organization-type',
  ombRace: 'urn:oid:2.16.840.1.113883.6.238',
  ssn: 'http://hl7.org/fhir/sid/us-ssn',
  npi: 'http://hl7.org/fhir/sid/us-npi',
  passportUsa: 'http://hl7.org/fhir/sid/passport-USA',
} as const;

export interface Coding {
  system: string;
  code: string;
  display: string;
}

const concept = (codings: Coding[], text: string) => ({ coding: codings, text });

/** The conditions, each with its SNOMED CT code and an ICD-10-CM second coding. */
export const CONDITIONS = {
  diabetes: concept(
    [
      { system: SYSTEM.snomed, code: '44054006', display: 'Diabetes mellitus type 2' },
      { system: SYSTEM.icd10cm, code: 'E11.9', display: 'Type 2 diabetes mellitus without complications' },
    ],
    'Type 2 diabetes mellitus',
  ),
  prediabetes: concept(
    [
      { system: SYSTEM.snomed, code: '714628002', display: 'Prediabetes' },
      { system: SYSTEM.icd10cm, code: 'R73.03', display: 'Prediabetes' },
    ],
    'Prediabetes',
  ),
  heartFailure: concept(
    [
      { system: SYSTEM.snomed, code: '88805009', display: 'Chronic congestive heart failure' },
      { system: SYSTEM.icd10cm, code: 'I50.9', display: 'Heart failure, unspecified' },
    ],
    'Chronic congestive heart failure',
  ),
  obesity: concept(
    [
      { system: SYSTEM.snomed, code: '162864005', display: 'Body mass index 30+ - obesity' },
      { system: SYSTEM.icd10cm, code: 'E66.9', display: 'Obesity, unspecified' },
    ],
    'Obesity',
  ),
  severeObesity: concept(
    [
      { system: SYSTEM.snomed, code: '408512008', display: 'Body mass index 40+ - severely obese' },
      { system: SYSTEM.icd10cm, code: 'E66.01', display: 'Morbid (severe) obesity due to excess calories' },
    ],
    'Severe obesity',
  ),
  hypertension: concept(
    [
      { system: SYSTEM.snomed, code: '38341003', display: 'Hypertensive disorder, systemic arterial' },
      { system: SYSTEM.icd10cm, code: 'I10', display: 'Essential (primary) hypertension' },
    ],
    'Hypertension',
  ),
} as const;

export type ConditionKind = keyof typeof CONDITIONS;

/** A drug: its RxNorm coding and the dosage text of its prescriptions. */
export interface Drug {
  code: { coding: Coding[]; text: string };
  dosage: string;
}

const drug = (code: string, display: string, text: string, dosage: string): Drug => ({
  code: { coding: [{ system: SYSTEM.rxnorm, code, display }], text },
  dosage,
});

/**
 * The drugs prescribed (medications.ts). Oral drugs carry their RxNorm clinical drug (SCD);
 * atorvastatin, empagliflozin, semaglutide and insulin glargine their RxNorm ingredient (IN),
 * the level at which their codes could be confirmed from public sources (README, "Synthetic
 * cohorts"). Semaglutide appears twice: the diabetes and the obesity doses.
 */
export const DRUGS = {
  metformin: drug(
    '861007',
    'metformin hydrochloride 500 MG Oral Tablet',
    'Metformin 500 mg tablet',
    '500 mg by mouth twice daily with meals',
  ),
  empagliflozin: drug('1545653', 'empagliflozin', 'Empagliflozin 10 mg tablet', '10 mg by mouth once daily'),
  semaglutideDiabetes: drug(
    '1991302',
    'semaglutide',
    'Semaglutide injection',
    '0.5 mg subcutaneously once weekly',
  ),
  semaglutideObesity: drug(
    '1991302',
    'semaglutide',
    'Semaglutide injection',
    '2.4 mg subcutaneously once weekly',
  ),
  insulinGlargine: drug(
    '274783',
    'insulin glargine',
    'Insulin glargine 100 units/mL',
    '10 units subcutaneously at bedtime',
  ),
  atorvastatin: drug('83367', 'atorvastatin', 'Atorvastatin 20 mg tablet', '20 mg by mouth once daily'),
  lisinopril: drug(
    '314076',
    'lisinopril 10 MG Oral Tablet',
    'Lisinopril 10 mg tablet',
    '10 mg by mouth once daily',
  ),
  losartan: drug(
    '979492',
    'losartan potassium 50 MG Oral Tablet',
    'Losartan 50 mg tablet',
    '50 mg by mouth once daily',
  ),
  carvedilol: drug(
    '200032',
    'carvedilol 12.5 MG Oral Tablet',
    'Carvedilol 12.5 mg tablet',
    '12.5 mg by mouth twice daily with food',
  ),
  metoprololSuccinate: drug(
    '866427',
    '24 HR metoprolol succinate 25 MG Extended Release Oral Tablet',
    'Metoprolol succinate ER 25 mg tablet',
    '25 mg by mouth once daily',
  ),
  furosemide: drug(
    '313988',
    'furosemide 40 MG Oral Tablet',
    'Furosemide 40 mg tablet',
    '40 mg by mouth once daily',
  ),
  spironolactone: drug(
    '313096',
    'spironolactone 25 MG Oral Tablet',
    'Spironolactone 25 mg tablet',
    '25 mg by mouth once daily',
  ),
} as const;

export type DrugKind = keyof typeof DRUGS;

const conceptOf = (system: string, code: string, display: string) => ({
  coding: [{ system, code, display }],
});

export const CLINICAL_STATUS = {
  active: conceptOf(SYSTEM.conditionClinical, 'active', 'Active'),
  resolved: conceptOf(SYSTEM.conditionClinical, 'resolved', 'Resolved'),
};
export const VERIFICATION_CONFIRMED = conceptOf(SYSTEM.conditionVerification, 'confirmed', 'Confirmed');
export const CONDITION_CATEGORY = {
  problemList: [conceptOf(SYSTEM.conditionCategory, 'problem-list-item', 'Problem List Item')],
  encounterDiagnosis: [conceptOf(SYSTEM.conditionCategory, 'encounter-diagnosis', 'Encounter Diagnosis')],
};

export const OBSERVATION_CATEGORY = {
  vitals: [conceptOf(SYSTEM.observationCategory, 'vital-signs', 'Vital Signs')],
  laboratory: [conceptOf(SYSTEM.observationCategory, 'laboratory', 'Laboratory')],
  imaging: [conceptOf(SYSTEM.observationCategory, 'imaging', 'Imaging')],
};

/** An observation kind: LOINC code, UCUM unit, category, and the decimals it is reported with. */
export interface Measure {
  code: { coding: Coding[]; text: string };
  category: (typeof OBSERVATION_CATEGORY)[keyof typeof OBSERVATION_CATEGORY];
  unit: string;
  ucum: string;
  decimals: number;
}

const measure = (
  code: string,
  display: string,
  category: Measure['category'],
  unit: string,
  ucum: string,
  decimals: number,
): Measure => ({
  code: { coding: [{ system: SYSTEM.loinc, code, display }], text: display },
  category,
  unit,
  ucum,
  decimals,
});

const { vitals, laboratory, imaging } = OBSERVATION_CATEGORY;

export const MEASURES = {
  hba1c: measure('4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood', laboratory, '%', '%', 1),
  glucose: measure('2339-0', 'Glucose [Mass/volume] in Blood', laboratory, 'mg/dL', 'mg/dL', 0),
  bmi: measure('39156-5', 'Body mass index (BMI) [Ratio]', vitals, 'kg/m2', 'kg/m2', 1),
  weight: measure('29463-7', 'Body weight', vitals, 'kg', 'kg', 1),
  height: measure('8302-2', 'Body height', vitals, 'cm', 'cm', 1),
  ntProBnp: measure('33762-6', 'NT-proBNP [Mass/volume] in Serum or Plasma', laboratory, 'pg/mL', 'pg/mL', 0),
  lvef: measure('10230-1', 'Left ventricular Ejection fraction', imaging, '%', '%', 0),
  egfr: measure(
    '33914-3',
    'Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum or Plasma by Creatinine-based formula (MDRD)',
    laboratory,
    'mL/min/{1.73_m2}',
    'mL/min/{1.73_m2}',
    0,
  ),
  creatinine: measure(
    '2160-0',
    'Creatinine [Mass/volume] in Serum or Plasma',
    laboratory,
    'mg/dL',
    'mg/dL',
    2,
  ),
  cholesterol: measure(
    '2093-3',
    'Cholesterol [Mass/volume] in Serum or Plasma',
    laboratory,
    'mg/dL',
    'mg/dL',
    0,
  ),
  ldl: measure(
    '18262-6',
    'Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay',
    laboratory,
    'mg/dL',
    'mg/dL',
    0,
  ),
  hdl: measure(
    '2085-9',
    'Cholesterol in HDL [Mass/volume] in Serum or Plasma',
    laboratory,
    'mg/dL',
    'mg/dL',
    0,
  ),
  triglycerides: measure(
    '2571-8',
    'Triglyceride [Mass/volume] in Serum or Plasma',
    laboratory,
    'mg/dL',
    'mg/dL',
    0,
  ),
} as const;

export type MeasureKind = keyof typeof MEASURES;

export const BLOOD_PRESSURE = {
  code: {
    coding: [
      { system: SYSTEM.loinc, code: '85354-9', display: 'Blood pressure panel with all children optional' },
    ],
    text: 'Blood pressure panel',
  },
  systolic: {
    coding: [{ system: SYSTEM.loinc, code: '8480-6', display: 'Systolic blood pressure' }],
    text: 'Systolic blood pressure',
  },
  diastolic: {
    coding: [{ system: SYSTEM.loinc, code: '8462-4', display: 'Diastolic blood pressure' }],
    text: 'Diastolic blood pressure',
  },
};

export type EncounterKind = 'checkup' | 'followUp' | 'emergency' | 'inpatient';

/** Encounter class (v3 ActCode) and type (SNOMED CT) per kind of visit. */
export const ENCOUNTERS: Record<
  EncounterKind,
  { class: Coding; type: { coding: Coding[]; text: string }[] }
> = {
  checkup: {
    class: { system: SYSTEM.actCode, code: 'AMB', display: 'ambulatory' },
    type: [
      {
        coding: [{ system: SYSTEM.snomed, code: '162673000', display: 'General examination of patient' }],
        text: 'Annual check-up',
      },
    ],
  },
  followUp: {
    class: { system: SYSTEM.actCode, code: 'AMB', display: 'ambulatory' },
    type: [
      {
        coding: [{ system: SYSTEM.snomed, code: '390906007', display: 'Follow-up encounter' }],
        text: 'Chronic disease follow-up',
      },
    ],
  },
  emergency: {
    class: { system: SYSTEM.actCode, code: 'EMER', display: 'emergency' },
    type: [
      {
        coding: [{ system: SYSTEM.snomed, code: '50849002', display: 'Emergency room admission' }],
        text: 'Emergency department visit',
      },
    ],
  },
  inpatient: {
    class: { system: SYSTEM.actCode, code: 'IMP', display: 'inpatient encounter' },
    type: [
      {
        coding: [{ system: SYSTEM.snomed, code: '32485007', display: 'Hospital admission' }],
        text: 'Hospital admission',
      },
    ],
  },
};

/** OMB race categories with US-adult-like weights, and the OMB ethnicity codes. */
export const RACES: readonly (Coding & { weight: number })[] = [
  { system: SYSTEM.ombRace, code: '2106-3', display: 'White', weight: 0.66 },
  { system: SYSTEM.ombRace, code: '2054-5', display: 'Black or African American', weight: 0.14 },
  { system: SYSTEM.ombRace, code: '2028-9', display: 'Asian', weight: 0.07 },
  { system: SYSTEM.ombRace, code: '1002-5', display: 'American Indian or Alaska Native', weight: 0.012 },
  {
    system: SYSTEM.ombRace,
    code: '2076-8',
    display: 'Native Hawaiian or Other Pacific Islander',
    weight: 0.004,
  },
];
export const ETHNICITY = {
  hispanic: { system: SYSTEM.ombRace, code: '2135-2', display: 'Hispanic or Latino' },
  notHispanic: { system: SYSTEM.ombRace, code: '2186-5', display: 'Not Hispanic or Latino' },
};
