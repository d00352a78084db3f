/**
 * Invented names, places and organizations. Names mix origins (and their accents — José, Zoë,
 * Müller, Nguyễn — so the search normalization has work to do); places are real US cities with
 * invented streets, 555 phone numbers and example.org e-mail addresses.
 */

const list = (s: string): readonly string[] => s.split('|');

export const GIVEN_FEMALE = list(
  'Mary|Patricia|Jennifer|Linda|Elizabeth|Barbara|Susan|Jessica|Sarah|Karen|Lisa|' +
    'Nancy|Betty|Sandra|Margaret|Ashley|Kimberly|Emily|Donna|Michelle|Carol|Amanda|' +
    'Melissa|Deborah|Stephanie|Rebecca|Laura|Helen|Sharon|Cynthia|Zoë|Chloé|Renée|' +
    'Noémie|Anaïs|Léa|Ingrid|Astrid|Mei|Yuki|Priya|Aisha|Fatima|Olga|Małgorzata|' +
    'Siobhán|Niamh|Grace|Hannah|Ava',
);

export const GIVEN_MALE = list(
  'James|Robert|John|Michael|David|William|Richard|Joseph|Thomas|Charles|' +
    'Christopher|Daniel|Matthew|Anthony|Mark|Donald|Steven|Paul|Andrew|Joshua|Kenneth|' +
    'Kevin|Brian|George|Timothy|Ronald|Edward|Jason|Jeffrey|Ryan|Björn|Søren|Jürgen|' +
    'François|Zoltán|Łukasz|Hiroshi|Wei|Rahul|Omar|Kwame|Dmitri|Seán|Ethan|Noah|Liam|' +
    'Samuel|Benjamin|Henry|Oliver',
);

export const GIVEN_FEMALE_HISPANIC = list(
  'María|Lucía|Sofía|Valentina|Isabel|Carmen|Ana|Guadalupe|Verónica|Mónica|Rocío|' +
    'Inés|Beatriz|Ximena|Daniela|Camila|Elena|Rosa|Adriana|Paula',
);

export const GIVEN_MALE_HISPANIC = list(
  'José|Juan|Luis|Carlos|Jesús|Andrés|Rubén|Óscar|Martín|Sebastián|Miguel|Jorge|' +
    'Alejandro|Fernando|Raúl|Ramón|Tomás|Joaquín|Diego|Iván',
);

export const FAMILY = list(
  'Smith|Johnson|Williams|Brown|Jones|Miller|Davis|Wilson|Anderson|Taylor|Thomas|' +
    'Moore|Jackson|Martin|Lee|Thompson|White|Harris|Clark|Lewis|Robinson|Walker|Young|' +
    'Allen|King|Wright|Scott|Hill|Green|Adams|Baker|Nelson|Carter|Mitchell|Roberts|' +
    'Turner|Phillips|Campbell|Parker|Evans|Müller|Schäfer|Groß|Köhler|Ødegård|Lefèvre|' +
    "Dubois|Nguyễn|Trần|Kim|Park|Chen|Wang|Patel|Singh|Okafor|Mensah|O'Brien|Kowalski|" +
    'Nowak',
);

export const FAMILY_HISPANIC = list(
  'García|Rodríguez|Martínez|Hernández|López|González|Pérez|Sánchez|Ramírez|Torres|' +
    'Flores|Rivera|Gómez|Díaz|Cruz|Morales|Ortiz|Gutiérrez|Chávez|Ramos|Núñez|Jiménez|' +
    'Muñoz|Álvarez|Castillo|Vásquez|Romero|Méndez|Ibáñez|Peña',
);

export const STREET_NAMES = list(
  'Maple|Oak|Cedar|Elm|Pine|Willow|Birch|Walnut|Chestnut|Spruce|Lake|Hill|Park|' +
    'River|Meadow|Sunset|Highland|Church|Mill|Washington|Lincoln|Jefferson|Madison|' +
    'Franklin|Jackson|Main|Market|Union|Prospect|Forest',
);

export const STREET_SUFFIXES = ['St', 'Ave', 'Rd', 'Ln', 'Dr', 'Ct', 'Blvd', 'Way', 'Pl', 'Ter'] as const;

/** A metro area: patients of an organization live in and around its city. */
export interface Metro {
  state: string;
  /** The state's FIPS code, used in its driver's licence identifier system OID. */
  fips: string;
  zipPrefix: string;
  areaCode: string;
  cities: readonly string[];
}

export const METROS: readonly Metro[] = [
  {
    state: 'MA',
    fips: '25',
    zipPrefix: '021',
    areaCode: '617',
    cities: ['Boston', 'Cambridge', 'Somerville', 'Brookline', 'Quincy', 'Newton'],
  },
  {
    state: 'TX',
    fips: '48',
    zipPrefix: '770',
    areaCode: '713',
    cities: ['Houston', 'Pasadena', 'Bellaire', 'Sugar Land', 'Katy', 'Pearland'],
  },
  {
    state: 'IL',
    fips: '17',
    zipPrefix: '606',
    areaCode: '312',
    cities: ['Chicago', 'Evanston', 'Oak Park', 'Cicero', 'Skokie', 'Berwyn'],
  },
  {
    state: 'CA',
    fips: '06',
    zipPrefix: '900',
    areaCode: '213',
    cities: ['Los Angeles', 'Pasadena', 'Glendale', 'Burbank', 'Inglewood', 'Santa Monica'],
  },
  {
    state: 'GA',
    fips: '13',
    zipPrefix: '303',
    areaCode: '404',
    cities: ['Atlanta', 'Decatur', 'Marietta', 'Smyrna', 'Sandy Springs', 'Roswell'],
  },
  {
    state: 'WA',
    fips: '53',
    zipPrefix: '981',
    areaCode: '206',
    cities: ['Seattle', 'Bellevue', 'Redmond', 'Kirkland', 'Renton', 'Shoreline'],
  },
  {
    state: 'FL',
    fips: '12',
    zipPrefix: '331',
    areaCode: '305',
    cities: ['Miami', 'Hialeah', 'Coral Gables', 'Doral', 'Homestead', 'Kendall'],
  },
  {
    state: 'MN',
    fips: '27',
    zipPrefix: '554',
    areaCode: '612',
    cities: ['Minneapolis', 'Saint Paul', 'Bloomington', 'Edina', 'Richfield', 'Roseville'],
  },
];

const ORG_NAME_STEMS = list(
  'Riverside|Lakeside|Northgate|St. Anne|Mercy|Harborview|Summit|Valley|Providence|' +
    'Fairview|Brookhaven|Crestwood|Bayside|Highland|Pinecrest|Westbrook',
);
const ORG_NAME_KINDS = list('Medical Center|Community Hospital|Health System|Regional Hospital|Clinic');

/** The display name of organization `n` (1-based); distinct for the first 80 organizations. */
export function organizationName(n: number, metro: Metro): string {
  const stem = ORG_NAME_STEMS[(n - 1) % ORG_NAME_STEMS.length]!;
  const kind = ORG_NAME_KINDS[Math.floor((n - 1) / ORG_NAME_STEMS.length) % ORG_NAME_KINDS.length]!;
  const city = metro.cities[0]!;
  const round = Math.floor((n - 1) / (ORG_NAME_STEMS.length * ORG_NAME_KINDS.length));
  return `${stem} ${kind} of ${city}${round ? ` ${round + 1}` : ''}`;
}
